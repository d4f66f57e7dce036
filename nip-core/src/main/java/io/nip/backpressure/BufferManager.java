package io.nip.backpressure;

import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.sink.Sink;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleConsumer;

/**
 * The bounded buffer between each source partition's fetch and its task, and what happens when it
 * is full (the tutorial's {@code BufferManager(max_size, overflow_strategy)}). Immutable; give it
 * to {@code PipelineConfig.Builder.bufferManager}.
 *
 * <pre>{@code
 * BufferManager buffer = BufferManager.of(10_000, BackpressureStrategy.DROP_OLDEST)
 *     .withDeadLetters(Sinks.jsonLines("dropped", Path.of("dropped.jsonl")))
 *     .withAlerts(0.8, level -> log.warn("buffer at {}%", level * 100));
 * PipelineConfig config = PipelineConfig.builder().bufferManager(buffer).build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Where</b>: one buffer of {@code maxSize} records per source partition (task). A task
 *       takes records from it while its chain accepts them; the chain stops accepting while a key
 *       exchange downstream is full (slower keyed tasks) or a rate limiter holds a record.
 *   <li><b>Overflow</b>: {@link BackpressureStrategy#BLOCK} reads the source no further (nothing is
 *       lost; a Kafka source pauses); the {@code DROP_*} strategies keep reading at the source's
 *       pace and drop a record per record that does not fit.
 *   <li><b>Drops</b> are decisions, not losses: each is counted in {@code nip.buffer.dropped}
 *       (tags pipeline, source, task, strategy), logged at most once per 10 s per partition with
 *       the number suppressed, and written to the dead-letter sink when one is given (error class
 *       {@code io.nip.backpressure.BackpressureStrategy.DROP_OLDEST} or {@code .DROP_NEWEST}, the
 *       record's raw bytes, value, headers and position). The source positions of dropped records
 *       are committed like those of processed ones.
 *   <li><b>Checkpoints</b>: a barrier waits until the buffer is empty (the source is not read
 *       meanwhile), so the position a checkpoint records never lies behind a buffered record.
 *   <li><b>Metrics</b>: {@code nip.buffer.size}, {@code nip.buffer.capacity} (gauges, records),
 *       {@code nip.buffer.dropped} (records), {@code nip.buffer.blocked} (milliseconds the source
 *       was not read because the buffer was full under BLOCK).
 * </ul>
 *
 * <p>Without a buffer manager a task reads one batch at a time straight into its chain and stops
 * reading while the chain is blocked: that is {@code BLOCK} with a buffer of one batch.
 */
public final class BufferManager {
  /** The largest buffer, records per source partition. */
  public static final int MAX_SIZE = 10_000_000;
  /** Alert levels are re-armed once utilization falls this far below them (5 % of capacity). */
  public static final double HYSTERESIS = 0.05;
  private final int maxSize;
  private final BackpressureStrategy overflow;
  private final Sink<DeadLetter> deadLetterSink;
  private final double alertThreshold;
  private final DoubleConsumer alertHandler;

  private BufferManager(int maxSize, BackpressureStrategy overflow, Sink<DeadLetter> deadLetterSink,
      double alertThreshold, DoubleConsumer alertHandler) {
    this.maxSize = maxSize;
    this.overflow = overflow;
    this.deadLetterSink = deadLetterSink;
    this.alertThreshold = alertThreshold;
    this.alertHandler = alertHandler;
  }

  /**
   * @param maxSize records per source partition, 1 to {@value #MAX_SIZE}
   * @param overflow what to do when a record does not fit
   * @throws ConfigurationException naming {@code maxSize} when out of range
   */
  public BufferManager(int maxSize, BackpressureStrategy overflow) {
    this(checkSize(maxSize), Objects.requireNonNull(overflow, "overflow"), null, Double.NaN, null);
  }

  /**
   * @param maxSize records per source partition
   * @param overflow what to do when a record does not fit
   * @return a buffer manager, see {@link #BufferManager(int, BackpressureStrategy)}
   */
  public static BufferManager of(int maxSize, BackpressureStrategy overflow) {
    return new BufferManager(maxSize, overflow);
  }

  /**
   * The tutorial's spelling: {@code BufferManager.of(10_000, "drop_oldest")}.
   *
   * @param maxSize records per source partition
   * @param overflowStrategy {@code "block"}, {@code "drop_oldest"} or {@code "drop_newest"}
   * @return a buffer manager
   * @throws ConfigurationException naming {@code overflowStrategy} when unknown
   */
  public static BufferManager of(int maxSize, String overflowStrategy) {
    return new BufferManager(maxSize, BackpressureStrategy.fromName(overflowStrategy));
  }

  private static int checkSize(int maxSize) {
    if (maxSize < 1 || maxSize > MAX_SIZE) {
      throw ConfigurationException.invalid("maxSize", maxSize, "must be between 1 and " + MAX_SIZE + " records");
    }
    return maxSize;
  }

  /**
   * @param sink where every dropped record goes, as a {@link DeadLetter} naming the strategy
   * @return a copy that dead-letters drops
   */
  public BufferManager withDeadLetters(Sink<DeadLetter> sink) {
    return new BufferManager(maxSize, overflow, Objects.requireNonNull(sink, "deadLetterSink"), alertThreshold,
        alertHandler);
  }

  /**
   * Calls {@code handler} with a buffer's utilization (size / capacity, 0 to 1) when it rises to
   * {@code threshold}, and again at each further tenth of the capacity up to full (0.8 gives 0.8,
   * 0.9 and 1.0). A level fires once, then again only after utilization fell more than
   * {@value #HYSTERESIS} below it (hysteresis: a buffer hovering at a level does not fire per
   * record). Levels are per source partition. The handler runs on the task's thread and must be
   * quick; an exception it throws is logged and ignored.
   *
   * @param threshold the first level, a fraction of the capacity in (0, 1]
   * @param handler receives the utilization at the crossing
   * @return a copy with the alert
   * @throws ConfigurationException naming {@code alertThreshold} when out of range
   */
  public BufferManager withAlerts(double threshold, DoubleConsumer handler) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw ConfigurationException.invalid("alertThreshold", threshold, "must be a fraction in (0, 1]");
    }
    return new BufferManager(maxSize, overflow, deadLetterSink, threshold, Objects.requireNonNull(handler, "handler"));
  }

  /** @return the capacity of each partition's buffer, records */
  public int maxSize() {
    return maxSize;
  }

  /** @return the overflow strategy */
  public BackpressureStrategy overflow() {
    return overflow;
  }

  /** @return the dead-letter sink for drops, if any */
  public Optional<Sink<DeadLetter>> deadLetterSink() {
    return Optional.ofNullable(deadLetterSink);
  }

  /**
   * @return the alert levels, ascending fractions of the capacity (empty without alerts): the
   *     threshold, then every further tenth, then 1.0
   */
  public double[] alertLevels() {
    if (alertHandler == null) {
      return new double[0];
    }
    java.util.List<Double> levels = new java.util.ArrayList<>();
    for (int i = 0; ; i++) {
      double level = alertThreshold + i * 0.1;
      if (level >= 1.0 - 1e-9) {
        break;
      }
      levels.add(level);
    }
    levels.add(1.0);
    return levels.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** @return the alert handler, if any */
  public Optional<DoubleConsumer> alertHandler() {
    return Optional.ofNullable(alertHandler);
  }

  @Override
  public String toString() {
    return "BufferManager(maxSize=" + maxSize + ", overflow=" + overflow + ")";
  }
}
