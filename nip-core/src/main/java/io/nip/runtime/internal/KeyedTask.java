package io.nip.runtime.internal;

import java.util.Arrays;

/**
 * One key group of a keyed stage: consumes batches from its {@link Inbox}, pushes their records
 * into the entry operator of the exchange they came through, and derives its watermark as the
 * minimum over its input channels (idle and ended channels excluded); the input ends once every
 * channel ended.
 *
 * <p>Aligned checkpoints: once a channel delivered the barrier of checkpoint N, its later batches
 * are held back (in arrival order) until every live channel delivered N; then the operators see
 * the barrier, the task snapshots its state — which therefore contains exactly the records before
 * N on every channel — acknowledges, and consumes the held batches before new ones. Only one
 * checkpoint is in flight at a time; after one was aborted (its timeout), a held batch may carry
 * the next barrier: a released batch of a channel blocked again is simply held again.
 *
 * <p>Watermark alignment ({@link io.nip.pipeline.PipelineConfig#watermarkAlignment()}): after each
 * change of a channel's watermark, idleness or end, a channel more than the maximum drift ahead of
 * the slowest channel is paused in the inbox, so its producer stops reading until the slow one
 * caught up, went idle or ended. Only channels straight from source tasks take part (a channel from
 * an upstream keyed task never reports idleness), and of those the active ones that have reported
 * a watermark, except during the start-up wait (from the task's first round): then a live, active
 * channel without a watermark holds back every channel that has one. After it, a channel that
 * never delivers (an empty partition before its idle timeout) holds the task's watermark back as
 * always, but never the other channels' records. After the start-up wait the globally slowest
 * channel is never paused,
 * so some input always advances; while a checkpoint waits for this task's barrier a paused channel
 * still hands over its batches up to that barrier (see {@link Inbox}).
 */
public final class KeyedTask extends Task {
  private static final int MAX_BATCHES_PER_ROUND = 16;
  private final Inbox inbox;
  private final Operator[] entries;
  private final long[] channelWatermarks;
  private final long[] channelBarriers;
  private final boolean[] channelIdle;
  private final boolean[] channelEnded;
  /** Channels that ended because the pipeline was stopped: their watermark still holds the task's back. */
  private final boolean[] channelStopped;
  private final Checkpoints checkpoints;
  /** The largest watermark lead over the slowest channel before a channel is paused; -1: no alignment. */
  private final long maxDrift;
  private final boolean[] channelAligning;
  /** How many channels watermark alignment holds back now; read by a gauge from any thread. */
  private volatile int alignedCount;
  /** How long channels without a watermark hold the others back, from the first round on. */
  private final long startupWaitMillis;
  private long firstRoundMillis = Long.MIN_VALUE;
  private boolean startupOver;
  private int endedCount;
  private boolean anyStopped;
  private long watermark = Long.MIN_VALUE;
  private long barrierForwarded;
  private boolean ended;

  private final boolean[] channelBlocked;
  /** Per channel, how many of its batches are held; at {@link #heldLimit} the channel is paused. */
  private final int[] heldCount;
  private final int heldLimit;
  /** Batches of blocked channels, in arrival order. */
  private final java.util.ArrayDeque<Batch> held = new java.util.ArrayDeque<>();
  /** Held batches of channels unblocked since, in arrival order: consumed before the inbox. */
  private final java.util.ArrayDeque<Batch> released = new java.util.ArrayDeque<>();
  private byte[] finalSnapshot;
  private final int[] channelTask;
  private final String[] channelSource;
  private final int[] channelPartition;
  /** Per channel, the names of the operators of its upstream chain; per asked name, the channels through it. */
  private final java.util.List<java.util.Set<String>> channelOperators;
  private final java.util.Map<String, int[]> channelsThrough = new java.util.HashMap<>();
  /** The operator last asked for (a join asks per record, always with the same string) and its channels. */
  private String lastOperator;
  private int[] lastThrough;
  /**
   * A batch whose remaining records (from {@link #resumeAt}), or whose barrier and end after its
   * records and watermark ({@link #resumeControls}), wait until the task's gates hold nothing.
   */
  private Batch resumeBatch;
  private int resumeAt;
  private boolean resumeControls;

  public KeyedTask(TaskRuntime rt, int index, Inbox inbox, Operator[] entries, int channels, Checkpoints checkpoints,
      int[] channelTask, String[] channelSource, int[] channelPartition,
      java.util.List<java.util.Set<String>> channelOperators) {
    super(rt, index);
    this.channelOperators = channelOperators;
    rt.inputWatermarks = this::inputWatermark;
    this.channelTask = channelTask;
    this.channelSource = channelSource;
    this.channelPartition = channelPartition;
    rt.channels = channels;
    this.inbox = inbox;
    this.entries = entries;
    this.channelWatermarks = new long[channels];
    Arrays.fill(channelWatermarks, Long.MIN_VALUE);
    this.channelBarriers = new long[channels];
    this.channelIdle = new boolean[channels];
    this.channelEnded = new boolean[channels];
    this.channelStopped = new boolean[channels];
    this.channelBlocked = new boolean[channels];
    this.heldCount = new int[channels];
    this.heldLimit = Math.max(2, rt.config().exchangeCapacity());
    inbox.channels(channels);
    this.checkpoints = checkpoints;
    this.barrierForwarded = checkpoints == null ? 0 : checkpoints.requested();
    this.maxDrift = rt.config().watermarkAlignment().map(KeyedTask::millis).orElse(-1L);
    this.channelAligning = new boolean[channels];
    this.startupWaitMillis = millis(rt.config().alignmentStartupWait());
    this.startupOver = startupWaitMillis == 0;
    if (checkpoints != null) {
      inbox.checkpoints(checkpoints::requested, barrierForwarded);
    }
  }

  private static long millis(java.time.Duration d) {
    return d.compareTo(java.time.Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toMillis();
  }

  @Override
  void bind(Runnable wakeUp) {
    inbox.wakeUp = wakeUp;
  }

  @Override
  boolean runOnce(long nowMillis) {
    rt.roundMillis = nowMillis;
    if (!startupOver && maxDrift >= 0) {
      startup(nowMillis);
    }
    if (ended) {
      done = flushExchanges();
      return true;
    }
    boolean progress = false;
    if (flushExchanges() && (rt.gates.isEmpty() || rt.releaseGates(nowMillis))) {
      if (resumeBatch != null) {
        progress = true;
        Batch b = resumeBatch;
        resumeBatch = null;
        consume(b, resumeAt, resumeControls);
        if (ended) {
          return true;
        }
      }
      for (int i = 0; i < MAX_BATCHES_PER_ROUND && resumeBatch == null; i++) {
        Batch b = released.isEmpty() ? inbox.poll() : released.poll();
        if (b == null) {
          break;
        }
        progress = true;
        if (channelBlocked[b.channel]) {
          hold(b); // behind a barrier this task has not aligned yet
          continue;
        }
        consume(b);
        if (ended) {
          return true;
        }
        if (!flushExchanges()) {
          break;
        }
      }
    }
    progress |= tickAll(nowMillis);
    flushExchanges();
    return progress;
  }

  private void consume(Batch b) {
    consume(b, 0, false);
  }

  /**
   * Pushes a batch's records from {@code from} on, then applies its control signals. With gates in
   * the task it stops after a record a gate held, and before the barrier and end when a gate holds
   * what the watermark released, and leaves the rest in {@link #resumeBatch}: a gate then holds at
   * most what one record produced, and a barrier never finds a gate holding records.
   */
  private void consume(Batch b, int from, boolean controlsOnly) {
    Operator entry = entries[b.input];
    Object[] keys = b.keys;
    Object[] values = b.values;
    long[] ts = b.timestamps;
    long[] pos = b.positions;
    TaskRuntime r = rt;
    int c = b.channel;
    r.channel = c;
    r.sourceName = channelSource[c];
    r.partition = channelPartition[c];
    r.raw = null;
    r.ingestMillis = b.ingestMillis;
    boolean gated = !r.gates.isEmpty();
    if (!controlsOnly) {
      for (int i = from, n = b.size; i < n; i++) {
        r.timestamp = ts[i];
        r.key = keys[i];
        r.position = pos[i];
        r.positionRef = b.positionRefAt(i);
        r.headers = b.headersAt(i);
        entry.process(values[i]);
        if (gated && r.gatesHolding()) {
          resume(b, i + 1, false);
          return;
        }
      }
      applyWatermark(b, c);
      if (gated && r.gatesHolding()) {
        resume(b, b.size, true);
        return;
      }
    }
    applyBarrierAndEnd(b, c);
  }

  private void resume(Batch b, int at, boolean controls) {
    resumeBatch = b;
    resumeAt = at;
    resumeControls = controls;
  }

  private void applyWatermark(Batch b, int c) {
    if (b.status != Batch.STATUS_NONE) {
      channelIdle[c] = b.status == Batch.STATUS_IDLE;
      updateWatermark();
      align();
    }
    // An ending channel's end-of-time watermark is not applied on its own: the channel simply
    // stops counting. Otherwise, with every other channel idle, it would push the watermark to
    // the end of time and make the idle channels' later records late. The end of time is reached
    // once every channel has ended, if all of them were exhausted (not stopped). A stopped channel
    // keeps counting at its last watermark: after a restart it delivers records from there, which
    // the other channels' watermarks must not have made late meanwhile.
    if (b.end && !channelEnded[c]) {
      if (b.watermark != Long.MAX_VALUE) {
        anyStopped = true;
        channelStopped[c] = true;
      }
    } else if (b.watermark != Batch.NO_WATERMARK && b.watermark > channelWatermarks[c]) {
      channelWatermarks[c] = b.watermark;
      updateWatermark();
      align();
    }
  }

  private void applyBarrierAndEnd(Batch b, int c) {
    if (b.barrier > 0) {
      channelBarriers[c] = b.barrier;
      if (b.barrier > barrierForwarded && !b.end) {
        channelBlocked[c] = true;
      }
      maybeForwardBarrier();
    }
    if (b.end && !channelEnded[c]) {
      channelEnded[c] = true;
      endedCount++;
      if (endedCount == channelEnded.length) {
        if (!anyStopped && watermark < Long.MAX_VALUE) {
          watermark = Long.MAX_VALUE;
          rt.watermark = Long.MAX_VALUE;
          for (Operator e : entries) {
            if (e != null) {
              e.watermark(Long.MAX_VALUE, 0);
            }
          }
        }
        rt.inputExhausted = !anyStopped;
        align(); // no channel is held back any more
        for (int i = 0; i < entries.length; i++) {
          if (entries[i] != null) {
            entries[i].finish(0);
          }
        }
        ended = true;
        if (checkpoints != null) {
          checkpoints.finalHold(heldByTask());
          if (checkpoints.snapshotsEnabled()) {
            // a stopped input is not an end of time: a restart resumes with this task's watermarks
            finalSnapshot = snapshot(!anyStopped);
          }
          if (checkpoints.changelogEnabled()) {
            checkpoints.finalPart(index, checkpoints.part(index, rt, snapshot(!anyStopped, false), 0, 0), null);
          }
        }
        done = flushExchanges();
      } else {
        updateWatermark();
        align();
        maybeForwardBarrier();
      }
    }
  }

  private void updateWatermark() {
    long min = Long.MAX_VALUE;
    boolean any = false;
    for (int c = 0; c < channelWatermarks.length; c++) {
      if ((!channelEnded[c] || channelStopped[c]) && !channelIdle[c]) {
        min = Math.min(min, channelWatermarks[c]);
        any = true;
      }
    }
    if (!any) {
      // every live channel is idle: those that saw data reached their largest event time; take the slowest
      for (int c = 0; c < channelWatermarks.length; c++) {
        if ((!channelEnded[c] || channelStopped[c]) && channelWatermarks[c] != Long.MIN_VALUE) {
          min = Math.min(min, channelWatermarks[c]);
          any = true;
        }
      }
      if (!any) {
        return;
      }
    }
    if (min > watermark) {
      watermark = min;
      rt.watermark = min;
      for (Operator e : entries) {
        if (e != null) {
          e.watermark(min, 0);
        }
      }
    }
  }

  /**
   * Pauses the channels whose watermark leads the slowest active channel with a watermark by more
   * than {@link #maxDrift} (during the start-up wait, every channel with a watermark while a live,
   * active one has none yet), and resumes those that no longer do; a no-op without alignment.
   */
  private void align() {
    if (maxDrift < 0) {
      return;
    }
    long min = Long.MAX_VALUE;
    boolean holdAll = false;
    for (int c = 0; c < channelWatermarks.length; c++) {
      if (counts(c)) {
        min = Math.min(min, channelWatermarks[c]);
      } else if (!startupOver && live(c)) {
        holdAll = true; // not reported yet, within the start-up wait: everything else waits for it
      }
    }
    long bound = min > Long.MAX_VALUE - maxDrift ? Long.MAX_VALUE : min + maxDrift;
    for (int c = 0; c < channelWatermarks.length; c++) {
      boolean pause = counts(c) && (holdAll || channelWatermarks[c] > bound);
      if (pause != channelAligning[c]) {
        channelAligning[c] = pause;
        inbox.align(c, pause);
        alignedCount += pause ? 1 : -1;
      }
    }
  }

  /** Ends the start-up wait once it has passed, and lets the channels it held back go. */
  private void startup(long nowMillis) {
    if (firstRoundMillis == Long.MIN_VALUE) {
      firstRoundMillis = nowMillis;
      align();
    } else if (nowMillis - firstRoundMillis >= startupWaitMillis) {
      startupOver = true;
      align();
    }
  }

  /**
   * @return true when channel {@code c} is aligned at all: it comes straight from a source task (a
   *     channel from an upstream keyed task never reports idleness, so a quiet first stage would
   *     hold such a channel's producers back for as long as it stays quiet), has not ended and is
   *     not idle
   */
  private boolean live(int c) {
    return channelTask[c] >= 0 && !channelEnded[c] && !channelIdle[c];
  }

  /** @return true when channel {@code c} takes part in watermark alignment: live, with a watermark */
  private boolean counts(int c) {
    return live(c) && channelWatermarks[c] != Long.MIN_VALUE;
  }

  /** @return the input channels watermark alignment holds back now; any thread (a gauge) */
  int alignedChannels() {
    return alignedCount;
  }

  /** @return true when this task aligns its inputs on their watermarks */
  boolean aligns() {
    return maxDrift >= 0;
  }

  /**
   * @param operator an operator name
   * @return the minimum watermark of the channels whose upstream chain holds {@code operator}
   *     (exhausted ones excluded, idle ones at their last watermark; {@link Long#MAX_VALUE} once
   *     all of them are exhausted), never behind the task's watermark; the task's watermark when
   *     no channel holds it
   */
  private long inputWatermark(String operator) {
    int[] through = operator == lastOperator ? lastThrough : channelsThrough.computeIfAbsent(operator, op -> {
      java.util.stream.IntStream.Builder b = java.util.stream.IntStream.builder();
      for (int c = 0; c < channelOperators.size(); c++) {
        if (channelOperators.get(c).contains(op)) {
          b.add(c);
        }
      }
      return b.build().toArray();
    });
    lastOperator = operator;
    lastThrough = through;
    if (through.length == 0) {
      return watermark;
    }
    long min = Long.MAX_VALUE;
    for (int c : through) {
      if (!channelEnded[c] || channelStopped[c]) {
        min = Math.min(min, channelWatermarks[c]);
      }
    }
    return Math.max(min, watermark);
  }

  private void maybeForwardBarrier() {
    long min = Long.MAX_VALUE;
    for (int c = 0; c < channelBarriers.length; c++) {
      if (!channelEnded[c]) {
        min = Math.min(min, channelBarriers[c]);
      }
    }
    if (min != Long.MAX_VALUE && min > barrierForwarded) {
      barrierForwarded = min;
      inbox.aligned(min);
      for (Operator e : entries) {
        if (e != null) {
          e.barrier(min, 0);
        }
      }
      release(min);
      if (checkpoints != null && checkpoints.changelogEnabled()) {
        checkpoints.ackPart(index, min, checkpoints.part(index, rt, snapshot(false, false), min, 0), null);
      } else if (checkpoints != null) {
        checkpoints.ack(index, min, heldByTask(), checkpoints.snapshotsEnabled() ? snapshot(false) : null);
      }
    }
  }

  /**
   * Unblocks the channels whose barrier is at most {@code aligned}; their held batches move, in
   * arrival order, ahead of anything new from the inbox, so no batch overtakes an earlier one of its
   * channel.
   */
  private void release(long aligned) {
    for (int c = 0; c < channelBlocked.length; c++) {
      if (channelBlocked[c] && channelBarriers[c] <= aligned) {
        channelBlocked[c] = false;
      }
    }
    int n = held.size();
    for (int i = 0; i < n; i++) {
      Batch b = held.poll();
      if (channelBlocked[b.channel]) {
        held.add(b);
      } else {
        released.add(b);
      }
    }
    for (int c = 0; c < channelBlocked.length; c++) {
      if (!channelBlocked[c] && heldCount[c] > 0) {
        heldCount[c] = 0;
        inbox.resume(c);
      }
    }
  }

  /** Holds a batch of a blocked channel; pauses the channel at the bound, so memory stays bounded. */
  private void hold(Batch b) {
    held.add(b);
    if (++heldCount[b.channel] >= heldLimit) {
      inbox.pause(b.channel);
    }
  }

  /** @return per upstream source task (global index), the smallest source position still held here */
  private long[] heldByTask() {
    long[] perChannel = new long[channelTask.length];
    java.util.Arrays.fill(perChannel, Long.MAX_VALUE);
    for (Operator op : rt.all) {
      if (op instanceof HoldsRecords) {
        ((HoldsRecords) op).lowestHeldPositions(perChannel);
      }
    }
    long[] perTask = null;
    for (int c = 0; c < perChannel.length; c++) {
      if (perChannel[c] != Long.MAX_VALUE && channelTask[c] >= 0) {
        if (perTask == null) {
          perTask = new long[checkpoints.taskCount()];
          java.util.Arrays.fill(perTask, Long.MAX_VALUE);
        }
        perTask[channelTask[c]] = Math.min(perTask[channelTask[c]], perChannel[c]);
      }
    }
    return perTask;
  }

  long watermark() {
    return watermark;
  }

  byte[] snapshot(boolean ended) { // package-private for tests
    return snapshot(ended, true);
  }

  private byte[] snapshot(boolean ended, boolean withStores) {
    return new TaskSnapshot(io.nip.source.SourcePosition.NONE, Long.MIN_VALUE, watermark, channelWatermarks.clone(),
        channelIdle.clone(), ended,
        rt.state().snapshot(withStores)).encode();
  }

  @Override
  byte[] finalSnapshot() {
    return finalSnapshot;
  }

  /**
   * Puts back what a checkpoint recorded: keyed state and timers, and the channel watermarks (ends
   * of input and idleness are not restored: the restored source tasks announce them again). Called once, after
   * the operators were opened, before the task runs.
   *
   * @param bytes this task's part of a completed checkpoint
   */
  public void restore(byte[] bytes) {
    TaskSnapshot snap = TaskSnapshot.decode(rt.taskId(), bytes);
    rt.state().restore(snap.state());
    for (Operator op : rt.all) {
      op.restored();
    }
    if (snap.channelWatermarks().length == channelWatermarks.length) {
      System.arraycopy(snap.channelWatermarks(), 0, channelWatermarks, 0, channelWatermarks.length);
      // idleness is not restored: a restored source starts active and announces only a change, so a
      // channel restored idle would stay idle when its source delivers again, and no longer hold the
      // watermark back; an idle source announces it again after its idle timeout, as at a first start
    }
    watermark = snap.ended() ? Long.MIN_VALUE : snap.watermark();
    rt.watermark = watermark;
    align();
  }
}
