package io.nip.runtime.internal;

import io.nip.errors.NipException;
import io.nip.event.Event;
import io.nip.event.Headers;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.time.TimestampAssigner;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads one source partition and pushes each record through the task's fused chain. After every
 * read it advances the partition watermark (largest event time minus the out-of-orderness bound),
 * marks the partition idle after the idle timeout (its watermark then moves up to the largest event
 * time seen, never further, so a partition that resumes in order loses nothing to lateness),
 * rejects as bad input a record whose event time is further ahead of the clock than
 * {@code maxEventTimeAhead} (it never moves the watermark), and takes part in checkpoints by recording the
 * reader position and sending a barrier. It reads nothing while an exchange downstream still holds
 * batches that did not fit (backpressure).
 *
 * <p>With a {@code BufferManager}, or a gate (rate limiter) in its chain, records go from the
 * reader into a bounded {@link SourceBuffer} and from there one at a time into the chain while it
 * accepts them (see {@link #runBuffered}); without either they go straight into the chain, a batch
 * per read, allocation-free.
 *
 * <p>Records arrive with their envelope (key, headers, raw bytes, position, source time), which is
 * written into the task's record context before the chain runs. An offset stays a primitive
 * {@code long} on this path; only checkpoints handle {@link SourcePosition} objects.
 */
public final class SourceTask extends Task implements SourceOutput<Object> {
  private final SourceReader<Object> reader;
  private final Operator head;
  private final Guard sourceGuard;
  private final TimestampAssigner<Object> assigner;
  private final boolean processingTime;
  private final long boundMillis;
  private final long idleTimeoutMillis;
  private final Duration maxEventTimeAhead;
  private final long maxAheadMillis;
  /** Event times above this are bad input: the clock at the start of the round plus maxEventTimeAhead. */
  private long aheadLimit = Long.MAX_VALUE;
  private final int batchSize;
  private final Checkpoints checkpoints;
  private final TreeMap<Long, SourcePosition> positionsAtCheckpoint = new TreeMap<>();
  /** Operators of this task that keep records in state (windows after {@code keyByPartitioned}). */
  private final HoldsRecords[] holders;
  private volatile boolean stopRequested;
  private long maxTimestamp = Long.MIN_VALUE;
  private long emittedWatermark = Long.MIN_VALUE;
  private long lastActivity;
  private boolean idle;
  private boolean ended;
  /** Restored from a checkpoint taken after this partition was exhausted: end again at once. */
  private boolean restoredEnded;
  private byte[] finalSnapshot;
  private boolean ownedElsewhere;
  private long lastBarrier;
  private long lastCommitted;
  long recordsIn;
  private long nowMillis;
  /**
   * Whether values of {@link #lastValueClass} implement {@link Event}. On HotSpot an instanceof
   * check against an interface that the class does not implement measured about 20 ns per record
   * (nip-bench FilterMapBenchmark), so it runs once per value class instead of once per record.
   */
  private Class<?> lastValueClass;
  private boolean lastValueIsEvent;
  /**
   * The bounded buffer between the reader and the chain (a {@code BufferManager}, or a chain with a
   * rate limiter); null when records go straight from the reader into the chain.
   */
  private final SourceBuffer buffer;
  /** Buffered mode: the reader reported the end of its input; the buffer drains first. */
  private boolean readerEnded;

  @SuppressWarnings("unchecked")
  public SourceTask(TaskRuntime rt, int index, SourceReader<Object> reader, Operator head, Guard sourceGuard,
      WatermarkStrategy<Object> strategy, Checkpoints checkpoints) {
    super(rt, index);
    this.reader = reader;
    this.head = head;
    this.sourceGuard = sourceGuard;
    this.assigner = (TimestampAssigner<Object>) strategy.timestampAssigner();
    this.processingTime = strategy.isProcessingTime();
    this.boundMillis = (strategy.maxOutOfOrderness() == null
        ? rt.config().maxOutOfOrderness() : strategy.maxOutOfOrderness()).toMillis();
    this.idleTimeoutMillis = (strategy.idleTimeout() == null
        ? rt.config().idleTimeout() : strategy.idleTimeout()).toMillis();
    this.maxEventTimeAhead = rt.config().maxEventTimeAhead();
    this.maxAheadMillis = maxEventTimeAhead.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0
        ? Long.MAX_VALUE : maxEventTimeAhead.toMillis();
    this.batchSize = rt.config().batchSize();
    this.checkpoints = checkpoints;
    // after a restore the coordinator starts at the restored checkpoint: never send its barrier again
    this.lastBarrier = checkpoints == null ? 0 : checkpoints.requested();
    this.lastActivity = rt.clock().millis();
    List<HoldsRecords> holders = new ArrayList<>();
    for (Operator op : rt.all) {
      if (op instanceof HoldsRecords) {
        holders.add((HoldsRecords) op);
      }
    }
    this.holders = holders.toArray(new HoldsRecords[0]);
    io.nip.backpressure.BufferManager manager = rt.config().bufferManager().orElse(null);
    if (manager == null && !rt.gates.isEmpty()) {
      // a gate must be fed one record at a time: the chain's records wait in a buffer of one batch
      manager = io.nip.backpressure.BufferManager.of(batchSize, io.nip.backpressure.BackpressureStrategy.BLOCK);
    }
    this.buffer = manager == null ? null : new SourceBuffer(rt, manager);
    if (this.holders.length > 0) {
      // keyed state in this task (keyByPartitioned): records carry this task's positions on channel 0
      rt.channel = 0;
      rt.channels = 1;
    }
  }

  /**
   * @return for checkpoints, per source task, the smallest position of this task's records still
   *     held in its own keyed state (open windows), or null when nothing is held
   */
  private long[] heldHere() {
    if (holders.length == 0 || checkpoints == null) {
      return null;
    }
    long[] lowest = {Long.MAX_VALUE};
    for (HoldsRecords h : holders) {
      h.lowestHeldPositions(lowest);
    }
    if (lowest[0] == Long.MAX_VALUE) {
      return null;
    }
    long[] perTask = new long[checkpoints.taskCount()];
    java.util.Arrays.fill(perTask, Long.MAX_VALUE);
    perTask[index] = lowest[0];
    return perTask;
  }

  @Override
  void bind(Runnable wakeUp) {
    if (wakeUp != null) {
      reader.onAvailable(wakeUp);
    }
  }

  @Override
  void closeOperators() {
    try {
      super.closeOperators();
    } finally {
      if (buffer != null) {
        buffer.close();
      }
    }
  }

  void requestStop() {
    rt.stopping = true;
    stopRequested = true;
  }

  SourceReader<Object> reader() {
    return reader;
  }

  @Override
  boolean runOnce(long now) {
    this.nowMillis = now;
    rt.roundMillis = now;
    rt.ingestMillis = now;
    this.aheadLimit = now > Long.MAX_VALUE - maxAheadMillis ? Long.MAX_VALUE : now + maxAheadMillis;
    if (ended) {
      done = flushExchanges();
      return true;
    }
    if (buffer != null) {
      return runBuffered(now);
    }
    boolean progress = commitCompleted();
    if (!flushExchanges()) {
      return progress;
    }
    if (stopRequested) {
      endInput(false);
      return true;
    }
    sendBarrierIfRequested();
    if (restoredEnded) {
      restoredEnded = false;
      endInput(true);
      return true;
    }
    if (checkpoints != null && checkpoints.outputBacklogged()) {
      return progress; // the output waiting for the running commit is at its bound: read on after it
    }
    long before = recordsIn;
    SourceReader.Status status = reader.poll(this, checkpoints == null ? batchSize : checkpoints.pollLimit(batchSize));
    if (status == SourceReader.Status.ASSIGNED) {
      reassigned();
      return true;
    }
    if (recordsIn > before) {
      progress = true;
    }
    trackActivity(recordsIn - before, now, true);
    progress |= tickAll(now);
    if (status == SourceReader.Status.END_OF_INPUT) {
      endInput(true);
      return true;
    }
    flushExchanges();
    return progress || status == SourceReader.Status.MORE_AVAILABLE;
  }

  /**
   * A round with a buffer between the reader and the chain: release what the gates may pass, feed
   * buffered records into the chain while it accepts them, and read the source into the buffer —
   * under BLOCK only as far as it has room, under the DROP strategies one batch per round whatever
   * the chain does (what does not fit is dropped). Barriers, the end of input and a stop wait until
   * the buffer is empty and the chain accepts records, so a checkpoint's position never lies behind
   * a buffered or held record. Watermarks follow the records that entered the chain.
   */
  private boolean runBuffered(long now) {
    boolean progress = commitCompleted();
    boolean open = acceptsRecords(now);
    if (open) {
      progress |= drain();
      open = !rt.gatesHolding() && flushExchanges();
    }
    if (open && buffer.isEmpty()) {
      if (stopRequested) {
        endInput(false);
        return true;
      }
      sendBarrierIfRequested();
      if (readerEnded || restoredEnded) {
        restoredEnded = false;
        endInput(true);
        return true;
      }
    }
    boolean barrierWaits = checkpoints != null && checkpoints.requested() > lastBarrier;
    // under exactly-once, output waiting for a running commit at its bound also stops the reads
    boolean backlogged = checkpoints != null && checkpoints.outputBacklogged();
    SourceReader.Status status = SourceReader.Status.NOTHING_AVAILABLE;
    if (!readerEnded && !restoredEnded && !stopRequested && !barrierWaits && !backlogged) {
      int limit = checkpoints == null ? batchSize : checkpoints.pollLimit(batchSize);
      if (buffer.strategy() == io.nip.backpressure.BackpressureStrategy.BLOCK) {
        limit = Math.min(limit, buffer.free());
        buffer.blocked(buffer.free() == 0, now);
      }
      if (limit > 0) {
        long before = recordsIn;
        status = reader.poll(this, limit);
        if (status == SourceReader.Status.ASSIGNED) {
          reassigned();
          return true;
        }
        progress |= recordsIn > before;
        readerEnded = status == SourceReader.Status.END_OF_INPUT;
        trackActivity(recordsIn - before, now, false);
      }
    }
    if (open) {
      progress |= drain();
      open = !rt.gatesHolding() && flushExchanges();
    }
    if (open) {
      advanceWatermark();
      if (idle && buffer.isEmpty()) {
        advanceIdleWatermark();
      }
    }
    progress |= tickAll(now);
    flushExchanges();
    return progress || readerEnded && open && buffer.isEmpty() || status == SourceReader.Status.MORE_AVAILABLE;
  }

  /** @return true when the chain takes records: exchanges handed over their batches, gates hold nothing */
  private boolean acceptsRecords(long now) {
    return flushExchanges() && (rt.gates.isEmpty() || rt.releaseGates(now));
  }

  /**
   * Feeds buffered records into the chain, one at a time, until the buffer is empty, a batch was
   * fed, a gate holds a record or an exchange cannot hand over its batches.
   *
   * @return true when a record was fed
   */
  private boolean drain() {
    int n = 0;
    boolean gated = !rt.gates.isEmpty();
    while (n < batchSize && !buffer.isEmpty()) {
      buffer.pushOldest(this);
      n++;
      if (gated && rt.gatesHolding()) {
        break;
      }
      if (!rt.exchanges.isEmpty() && pendingExchange() && !flushExchanges()) {
        break;
      }
    }
    return n > 0;
  }

  private boolean pendingExchange() {
    for (ExchangeOp x : rt.exchanges) {
      if (x.hasPending()) {
        return true;
      }
    }
    return false;
  }

  /** Records the reader position and sends the barrier of a newly requested checkpoint. */
  private void sendBarrierIfRequested() {
    long cp = checkpoints == null ? 0 : checkpoints.requested();
    if (cp > lastBarrier) {
      lastBarrier = cp;
      SourcePosition position = reader.position();
      positionsAtCheckpoint.put(cp, position);
      head.barrier(cp, 0);
      if (checkpoints.changelogEnabled()) {
        checkpoints.ackPart(index, cp, checkpoints.part(index, rt, snapshot(position, false, false), cp,
            reader.assignment()), position);
      } else {
        checkpoints.ack(index, cp, heldHere(), checkpoints.snapshotsEnabled() ? snapshot(position, false) : null);
      }
    }
  }

  /** A consumer group gave the partition to this instance (again): its state may be stale. */
  private void reassigned() {
    if (buffer != null) {
      // read in an earlier assignment: the reader starts this one at the committed position, before them
      buffer.discard();
    }
    if (checkpoints != null && checkpoints.changelogEnabled()) {
      byte[] meta = checkpoints.refreshAssigned(index, rt);
      if (meta != null) {
        restore(meta, false); // the reader resumes at the position committed with the state
      }
    }
  }

  /**
   * Idle and ownership bookkeeping after a read.
   *
   * @param read records the read delivered
   * @param now the pipeline clock
   * @param moveWatermark whether to advance the watermark here (unbuffered: records entered the chain)
   */
  private void trackActivity(long read, long now, boolean moveWatermark) {
    if (read > 0) {
      if (checkpoints != null) {
        checkpoints.entered(read);
      }
      lastActivity = now;
      ownedElsewhere = false;
      if (idle) {
        idle = false;
        for (ExchangeOp x : rt.exchanges) {
          x.status(false);
        }
      }
      if (moveWatermark) {
        advanceWatermark();
      }
    } else if (!reader.isAssigned()) {
      lastActivity = now;
      ownedElsewhere = true;
      // with state in a changelog behind an in-process keyBy, the keyed tasks' state belongs to this
      // instance alone: a partition another member holds (a member killed a moment ago keeps its
      // partitions until its session times out) comes back here, or the pipeline is refused; its
      // records belong to the same windows, so it keeps holding the watermark back
      if (!idle && !(checkpoints != null && checkpoints.changelogEnabled() && !rt.exchanges.isEmpty())) {
        idle = true;
        for (ExchangeOp x : rt.exchanges) {
          x.status(true);
        }
      }
    } else if (ownedElsewhere) {
      // ownership came back (a rebalance): hold the watermark back again until it delivers
      ownedElsewhere = false;
      lastActivity = now;
      if (idle) {
        idle = false;
        for (ExchangeOp x : rt.exchanges) {
          x.status(false);
        }
      }
    } else if (now - lastActivity >= idleTimeoutMillis) {
      if (!idle) {
        idle = true;
        for (ExchangeOp x : rt.exchanges) {
          x.status(true);
        }
      }
      if (moveWatermark) {
        advanceIdleWatermark();
      }
    }
  }

  private void advanceWatermark() {
    if (maxTimestamp == Long.MIN_VALUE) {
      return;
    }
    long wm = maxTimestamp < Long.MIN_VALUE + boundMillis ? Long.MIN_VALUE : maxTimestamp - boundMillis;
    if (wm > emittedWatermark) {
      emittedWatermark = wm;
      rt.watermark = wm;
      head.watermark(wm, 0);
    }
  }

  /** Test driver: moves the watermark forward explicitly. @param wm epoch millis */
  void advanceWatermarkTo(long wm) {
    if (wm > emittedWatermark) {
      emittedWatermark = wm;
      rt.watermark = wm;
      head.watermark(wm, 0);
      flushExchanges();
    }
  }

  /**
   * At the idle timeout nothing of this partition is in flight any more, so its watermark drops
   * the out-of-orderness bound and moves up to the largest event time seen: every window that
   * ended by then closes. It never moves beyond it (not with the wall clock): a partition that
   * resumes in order, however long the pause, has no record behind its watermark.
   */
  private void advanceIdleWatermark() {
    if (maxTimestamp != Long.MIN_VALUE && maxTimestamp > emittedWatermark) {
      emittedWatermark = maxTimestamp;
      rt.watermark = maxTimestamp;
      head.watermark(maxTimestamp, 0);
    }
  }

  private void endInput(boolean exhausted) {
    rt.inputExhausted = exhausted;
    if (exhausted) {
      emittedWatermark = Long.MAX_VALUE;
      rt.watermark = Long.MAX_VALUE;
      head.watermark(Long.MAX_VALUE, 0);
    }
    head.finish(0);
    ended = true;
    if (checkpoints != null && checkpoints.snapshotsEnabled()) {
      finalSnapshot = snapshot(reader.position(), exhausted);
    }
    if (checkpoints != null && checkpoints.changelogEnabled()) {
      SourcePosition position = reader.position();
      checkpoints.finalPart(index, checkpoints.part(index, rt, snapshot(position, exhausted, false), 0,
          reader.assignment()), position);
    }
    if (checkpoints != null) {
      checkpoints.finalHold(heldHere());
    }
    done = flushExchanges();
  }

  private boolean commitCompleted() {
    if (checkpoints == null) {
      return false;
    }
    long completed = checkpoints.completed();
    if (completed <= lastCommitted) {
      return false;
    }
    lastCommitted = completed;
    SourcePosition pos = null;
    while (!positionsAtCheckpoint.isEmpty() && positionsAtCheckpoint.firstKey() <= completed) {
      pos = positionsAtCheckpoint.pollFirstEntry().getValue();
    }
    commitSinks(completed);
    if (pos != null && !checkpoints.changelogEnabled()) { // with a changelog, positions commit with the state
      reader.commit(heldBack(pos, checkpoints.completedHold(index)));
    }
    return false;
  }

  private byte[] snapshot(SourcePosition position, boolean exhausted) {
    return snapshot(position, exhausted, true);
  }

  private byte[] snapshot(SourcePosition position, boolean exhausted, boolean withStores) {
    return new TaskSnapshot(position, maxTimestamp, emittedWatermark, new long[0], new boolean[0], exhausted,
        rt.state().snapshot(withStores)).encode();
  }

  @Override
  byte[] finalSnapshot() {
    return finalSnapshot;
  }

  /**
   * @param taskId the task's id, for messages
   * @param bytes a source task's part of a completed checkpoint
   * @return the source position to resume from (the reader is created there)
   */
  public static SourcePosition positionOf(String taskId, byte[] bytes) {
    return TaskSnapshot.decode(taskId, bytes).position();
  }

  /**
   * Puts back what a checkpoint recorded: keyed state and timers of this task's operators, and its
   * event-time bookkeeping. Called once, after the operators were opened, before the task runs.
   *
   * @param bytes this task's part of a completed checkpoint
   */
  public void restore(byte[] bytes) {
    restore(bytes, true);
  }

  /**
   * Like {@link #restore(byte[])}.
   *
   * @param bytes this task's part of a completed checkpoint
   * @param endAgain whether a partition recorded as exhausted ends again at once; false when the
   *     source resumes at positions it keeps itself (Kafka's committed offsets), where a bounded
   *     run ends at the end it finds this time
   */
  public void restore(byte[] bytes, boolean endAgain) {
    TaskSnapshot snap = TaskSnapshot.decode(rt.taskId(), bytes);
    rt.state().restore(snap.state());
    for (Operator op : rt.all) {
      op.restored();
    }
    maxTimestamp = snap.maxTimestamp();
    boolean resumesAfterEnd = snap.ended() && !endAgain;
    // an exhausted partition's watermark was the end of time: one that resumes starts its watermark again
    emittedWatermark = resumesAfterEnd ? Long.MIN_VALUE : snap.watermark();
    rt.watermark = emittedWatermark;
    restoredEnded = snap.ended() && endAgain;
  }

  /** After every task ended: commit the final position. Called by the runner thread. */
  void finalCommit() {
    long held = checkpoints == null ? Long.MAX_VALUE : checkpoints.finalHold(index);
    if (checkpoints == null || !checkpoints.changelogEnabled()) {
      reader.commit(heldBack(reader.position(), held));
    }
    commitSinks(Long.MAX_VALUE);
  }

  /**
   * @param position a reader position to commit
   * @param heldOffset the smallest offset still held in state, or {@link Long#MAX_VALUE}
   * @return {@code position}, or the held offset when it is an earlier offset (holds are tracked for
   *     offsets only)
   */
  private static SourcePosition heldBack(SourcePosition position, long heldOffset) {
    if (position != null && position.isOffset() && heldOffset < position.offset()) {
      return SourcePosition.ofOffset(heldOffset);
    }
    return position;
  }

  // ---- SourceOutput: the per-record hot path ----

  @Override
  public void emit(Object value, Object key, Headers headers, byte[] rawBytes, long offset,
      long sourceTimestampMillis) {
    recordsIn++;
    if (buffer != null) {
      buffer.add(value, key, headers, rawBytes, offset, null, sourceTimestampMillis);
      return;
    }
    rt.position = offset;
    rt.positionRef = null;
    push(value, key, headers, rawBytes, sourceTimestampMillis);
  }

  @Override
  public void emit(Object value, Object key, Headers headers, byte[] rawBytes, SourcePosition position,
      long sourceTimestampMillis) {
    recordsIn++;
    if (buffer != null) {
      boolean offset = position != null && position.isOffset();
      buffer.add(value, key, headers, rawBytes, offset ? position.offset() : -1,
          offset || position == null || position.isNone() ? null : position, sourceTimestampMillis);
      return;
    }
    setPosition(position);
    push(value, key, headers, rawBytes, sourceTimestampMillis);
  }

  /** A record leaves the buffer for the chain, with the envelope it was read with. */
  void pushBuffered(Object value, Object key, Headers headers, byte[] rawBytes, long offset, SourcePosition ref,
      long sourceTimestampMillis) {
    rt.position = offset;
    rt.positionRef = ref;
    push(value, key, headers, rawBytes, sourceTimestampMillis);
  }

  private void setPosition(SourcePosition position) {
    if (position != null && position.isOffset()) {
      rt.position = position.offset();
      rt.positionRef = null;
    } else {
      rt.position = -1;
      rt.positionRef = position == null || position.isNone() ? null : position;
    }
  }

  private void push(Object value, Object key, Headers headers, byte[] rawBytes, long sourceTimestampMillis) {
    rt.raw = rawBytes;
    rt.key = key;
    rt.headers = headers == null ? Headers.EMPTY : headers;
    long ts;
    try {
      ts = timestampOf(value, sourceTimestampMillis);
    } catch (RuntimeException e) {
      rt.timestamp = Long.MIN_VALUE;
      sourceGuard.reject(value, e);
      return;
    }
    rt.timestamp = ts;
    if (ts > aheadLimit && !processingTime) {
      sourceGuard.reject(value, tooFarAhead(ts));
      return;
    }
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
    }
    head.process(value);
  }

  private NipException tooFarAhead(long ts) {
    return new NipException("event time " + Instant.ofEpochMilli(ts) + " is more than maxEventTimeAhead "
        + maxEventTimeAhead + " ahead of the clock (" + Instant.ofEpochMilli(nowMillis) + "): bad input, "
        + "not counted in event time");
  }

  private long timestampOf(Object value, long sourceTs) {
    if (processingTime) {
      return nowMillis;
    }
    Instant t = null;
    if (assigner != null) {
      t = assigner.extract(value);
    } else if (isEvent(value)) {
      t = ((Event) value).eventTime();
    }
    if (t != null) {
      return t.toEpochMilli();
    }
    if (sourceTs != NO_TIMESTAMP) {
      return sourceTs;
    }
    if (assigner != null) {
      throw new NipException("record has no event time: the timestamp assigner returned null and the source "
          + "'" + rt.sourceName() + "' gives no timestamp");
    }
    // no assigner, not an Event, no source time: processing time, as WatermarkStrategy documents
    return nowMillis;
  }

  private boolean isEvent(Object value) {
    Class<?> c = value.getClass();
    if (c != lastValueClass) {
      lastValueClass = c;
      lastValueIsEvent = value instanceof Event;
    }
    return lastValueIsEvent;
  }

  @Override
  public void fail(byte[] rawBytes, long position, Throwable error) {
    fail(rawBytes, Headers.EMPTY, position, error);
  }

  @Override
  public void fail(byte[] rawBytes, Headers headers, long position, Throwable error) {
    rt.position = position;
    rt.positionRef = null;
    reject(rawBytes, headers, error);
  }

  @Override
  public void fail(byte[] rawBytes, SourcePosition position, Throwable error) {
    setPosition(position);
    reject(rawBytes, Headers.EMPTY, error);
  }

  private void reject(byte[] rawBytes, Headers headers, Throwable error) {
    recordsIn++;
    rt.raw = rawBytes;
    rt.key = null;
    rt.headers = headers == null ? Headers.EMPTY : headers;
    rt.timestamp = Long.MIN_VALUE;
    sourceGuard.reject(null, error);
  }
}
