package io.nip.runtime.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferManager;
import io.nip.errors.DeadLetter;
import io.nip.event.Headers;
import io.nip.sink.Sink;
import io.nip.sink.SinkWriter;
import io.nip.source.SourcePosition;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded buffer between a source partition's reader and its task's chain, with the
 * {@link BufferManager}'s overflow strategy, drop accounting and utilization alerts.
 *
 * <p>Design: a ring of parallel arrays (value, key, headers, raw bytes, offset or position, source
 * time), allocated once, so buffering allocates nothing per record. The reader fills it through the
 * source task's {@code emit}; the task drains it into the chain while the chain accepts records.
 * Under {@code BLOCK} the task never asks the reader for more than the free space; a reader that
 * delivers more anyway makes the ring grow rather than lose a record. A drop is a decision taken
 * here: counted, logged at a limited rate, dead-lettered when asked; the record's position is
 * behind the reader's, so the next checkpoint commits it like a processed one.
 *
 * <p>Alert levels fire when the size rises to their record count and re-arm once it fell more
 * than {@link BufferManager#HYSTERESIS} of the capacity below it.
 *
 * <p>Threading: the task's thread only. Metrics read {@link #size} and the counters from other
 * threads without synchronization (an approximate gauge is all they need).
 */
final class SourceBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(SourceBuffer.class);
  private final TaskRuntime rt;
  private final BackpressureStrategy strategy;
  private final int capacity;
  private final Sink<DeadLetter> deadLetters;
  private final RateLimitedLog dropLog;
  private final RateLimitedLog alertLog;
  private final Counter droppedCounter;
  private final Counter blockedCounter;
  private final Gauge sizeGauge;
  private final Gauge capacityGauge;
  private final DoubleConsumer alertHandler;
  private final double[] levels;
  private final int[] fireAt;
  private final int[] rearmBelow;
  private final boolean[] armed;
  private Object[] values;
  private Object[] keys;
  private Headers[] headers;
  private byte[][] raws;
  private long[] offsets;
  private SourcePosition[] refs;
  private long[] times;
  private int head;
  private int size;
  private long dropped;
  private long blockedSince = Long.MIN_VALUE;

  SourceBuffer(TaskRuntime rt, BufferManager manager) {
    this.rt = rt;
    this.strategy = manager.overflow();
    this.capacity = manager.maxSize();
    this.deadLetters = manager.deadLetterSink().orElse(null);
    this.dropLog = new RateLimitedLog(LOG, Duration.ofSeconds(10), rt.clock());
    this.alertLog = new RateLimitedLog(LOG, Duration.ofSeconds(10), rt.clock());
    this.alertHandler = manager.alertHandler().orElse(null);
    this.levels = manager.alertLevels();
    this.fireAt = new int[levels.length];
    this.rearmBelow = new int[levels.length];
    this.armed = new boolean[levels.length];
    for (int i = 0; i < levels.length; i++) {
      fireAt[i] = Math.max(1, (int) Math.ceil(levels[i] * capacity - 1e-6));
      rearmBelow[i] = Math.max(0, (int) Math.ceil((levels[i] - BufferManager.HYSTERESIS) * capacity - 1e-6));
      armed[i] = true;
    }
    allocate(Math.min(capacity, 1 << 16));
    Tags tags = Tags.of("pipeline", rt.pipelineName(), "source", rt.sourceName(), "task", rt.taskId());
    this.droppedCounter = Counter.builder("nip.buffer.dropped").description("records dropped by a full source buffer")
        .baseUnit("records").tags(tags).tag("strategy", strategy.name()).register(rt.meterRegistry());
    this.blockedCounter = Counter.builder("nip.buffer.blocked")
        .description("time a source was not read because its buffer was full (BLOCK)")
        .baseUnit("milliseconds").tags(tags).register(rt.meterRegistry());
    this.sizeGauge = Gauge.builder("nip.buffer.size", this, b -> b.size).description("records in a source buffer")
        .baseUnit("records").tags(tags).register(rt.meterRegistry());
    this.capacityGauge = Gauge.builder("nip.buffer.capacity", this, b -> b.capacity)
        .description("capacity of a source buffer").baseUnit("records").tags(tags).register(rt.meterRegistry());
  }

  /**
   * Removes the gauges, which read this buffer, when its task closes: a pipeline planned again
   * (a restart in the same process) registers its own. The counters stay and keep counting.
   */
  void close() {
    rt.meterRegistry().remove(sizeGauge);
    rt.meterRegistry().remove(capacityGauge);
  }

  private void allocate(int n) {
    Object[] v = new Object[n];
    Object[] k = new Object[n];
    Headers[] h = new Headers[n];
    byte[][] r = new byte[n][];
    long[] o = new long[n];
    SourcePosition[] p = new SourcePosition[n];
    long[] t = new long[n];
    for (int i = 0; i < size; i++) {
      int from = (head + i) % values.length;
      v[i] = values[from];
      k[i] = keys[from];
      h[i] = headers[from];
      r[i] = raws[from];
      o[i] = offsets[from];
      p[i] = refs[from];
      t[i] = times[from];
    }
    values = v;
    keys = k;
    headers = h;
    raws = r;
    offsets = o;
    refs = p;
    times = t;
    head = 0;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** @return how many more records fit */
  int free() {
    return Math.max(0, capacity - size);
  }

  BackpressureStrategy strategy() {
    return strategy;
  }

  /**
   * Adds a record read from the source, dropping one when full under a {@code DROP_*} strategy.
   *
   * @param position the record's offset, or -1 with {@code ref} set
   * @param ref the record's position when it is not an offset, else null
   */
  void add(Object value, Object key, Headers recordHeaders, byte[] raw, long position, SourcePosition ref,
      long sourceTime) {
    if (size >= capacity) {
      if (strategy == BackpressureStrategy.DROP_NEWEST) {
        drop(value, key, recordHeaders, raw, position, ref, sourceTime);
        return;
      }
      if (strategy == BackpressureStrategy.DROP_OLDEST) {
        int i = takeHead();
        drop(values[i], keys[i], headers[i], raws[i], offsets[i], refs[i], times[i]);
        clear(i);
      }
    }
    if (size == values.length) {
      allocate(values.length * 2); // below capacity, or a reader that ignored maxRecords under BLOCK
    }
    int i = (head + size) % values.length;
    values[i] = value;
    keys[i] = key;
    headers[i] = recordHeaders;
    raws[i] = raw;
    offsets[i] = position;
    refs[i] = ref;
    times[i] = sourceTime;
    size++;
    if (alertHandler != null) {
      checkRise();
    }
  }

  /**
   * Removes the oldest record and hands it to {@code task}'s chain.
   *
   * @param task the owning task
   */
  void pushOldest(SourceTask task) {
    int i = takeHead();
    if (alertHandler != null) {
      checkFall();
    }
    try {
      task.pushBuffered(values[i], keys[i], headers[i], raws[i], offsets[i], refs[i], times[i]);
    } finally {
      clear(i); // the slot is free again only now: nothing is added while the chain runs
    }
  }

  /** @return the slot of the oldest record, which no longer counts as buffered; clear it after use */
  private int takeHead() {
    int i = head;
    head = (head + 1) % values.length;
    size--;
    return i;
  }

  /**
   * Forgets every buffered record without counting it as dropped: the partition was assigned to
   * this instance again and its reader resumes at the committed position, so they are read again.
   */
  void discard() {
    while (size > 0) {
      clear(takeHead());
    }
    if (alertHandler != null) {
      checkFall();
    }
  }

  private void clear(int i) {
    values[i] = null;
    keys[i] = null;
    headers[i] = null;
    raws[i] = null;
    refs[i] = null;
  }

  private void drop(Object value, Object key, Headers recordHeaders, byte[] raw, long position, SourcePosition ref,
      long sourceTime) {
    dropped++;
    droppedCounter.increment();
    String where = rt.sourceName() + "[" + rt.partition() + "]";
    dropLog.warn("source buffer of {} is full ({} records): {} dropped a record ({} dropped so far)", where,
        capacity, strategy, dropped);
    if (deadLetters == null) {
      return;
    }
    SinkWriter<DeadLetter> w = rt.deadLetterWriter(deadLetters);
    SourcePosition pos = ref != null ? ref : position < 0 ? SourcePosition.NONE : SourcePosition.ofOffset(position);
    w.write(new DeadLetter(rt.pipelineName(), rt.sourceName() + ".buffer", rt.sourceName(), rt.partition(),
        position, sourceTime == io.nip.source.SourceOutput.NO_TIMESTAMP ? null : Instant.ofEpochMilli(sourceTime),
        raw, Guard.render(value), BackpressureStrategy.class.getName() + "." + strategy.name(),
        "dropped by " + strategy + ": the source buffer of " + where + " was full (" + capacity
            + " records); position " + pos + (key == null ? "" : ", key " + key),
        rt.clock().instant(), recordHeaders));
  }

  private void checkRise() {
    for (int i = 0; i < levels.length; i++) {
      if (armed[i] && size >= fireAt[i]) {
        armed[i] = false;
        fire((double) size / capacity);
      }
    }
  }

  private void checkFall() {
    for (int i = 0; i < levels.length; i++) {
      if (!armed[i] && size < rearmBelow[i]) {
        armed[i] = true;
      }
    }
  }

  private void fire(double utilization) {
    try {
      alertHandler.accept(utilization);
    } catch (RuntimeException e) {
      alertLog.warn("the buffer alert handler of {}[{}] failed: {}", rt.sourceName(), rt.partition(), e.toString());
    }
  }

  /**
   * Accounts for time the source was not read because the buffer was full (BLOCK); called once per
   * round, so the counter follows a long block as it goes.
   *
   * @param blocked true while the task skips reading for lack of space
   * @param nowMillis the pipeline clock
   */
  void blocked(boolean blocked, long nowMillis) {
    if (blockedSince != Long.MIN_VALUE && nowMillis > blockedSince) {
      blockedCounter.increment(nowMillis - blockedSince);
    }
    blockedSince = blocked ? nowMillis : Long.MIN_VALUE;
  }
}
