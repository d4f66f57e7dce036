package io.nip.streaming;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferManager;
import io.nip.backpressure.BufferStats;
import io.nip.backpressure.RateLimiter;
import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.pipeline.Op;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.Stream;
import io.nip.sink.Sink;
import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

/**
 * The tutorial's {@code BufferedPipeline(name, buffer_size, backpressure_strategy, alert_threshold)}:
 * one source, a bounded buffer per source partition with an overflow strategy, a consumer
 * function, buffer alerts and buffer statistics. A recipe over the DSL: the pipeline gets a
 * {@link BufferManager} and the consumer becomes a {@code map} named {@code <name>.consumer}
 * (behind a {@code rateLimit} named {@code <name>.rate-limit} when {@link #rateLimit} was given),
 * whose non-null results go to {@link #results} if set.
 *
 * <pre>{@code
 * BufferedPipeline<Event> pipeline =
 *     new BufferedPipeline<>("backpressure_pipeline", 5000, BackpressureStrategy.DROP_OLDEST, 4000);
 * pipeline.consumer(event -> expensiveOperation(event))
 *     .alertHandler(level -> log.warn("buffer at {}%", level * 100));
 * PipelineHandle handle = pipeline.start(kafkaSource);
 * BufferStats stats = pipeline.bufferStats();
 * }</pre>
 *
 * <p>When records pile up: the buffer fills while the chain behind it does not take records — a
 * {@link #rateLimit} without tokens, or a key exchange whose keyed tasks are slower. A slow
 * consumer function alone runs on the source's own task, so the task simply reads more slowly and
 * the source's lag grows (for Kafka, the broker keeps the records); give it a rate limit, or put
 * it behind {@code keyBy}, to have the buffer shed load under the {@code DROP_*} strategies.
 *
 * @param <T> the record type
 */
public final class BufferedPipeline<T> extends SourceFacade<T> {
  private final int bufferSize;
  private final BackpressureStrategy strategy;
  private final int alertThreshold;
  private DoubleConsumer alertHandler;
  private Sink<DeadLetter> deadLetters;
  private RateLimiter limiter;
  private Function<? super T, ?> consumer;
  private Sink<Object> results;
  private volatile MeterRegistry registry;

  /**
   * @param name the pipeline's name: letters, digits, '-', '_', '.'
   * @param bufferSize records per source partition, 1 to {@value BufferManager#MAX_SIZE}
   * @param backpressureStrategy what a full buffer does
   * @param alertThreshold the buffer size, in records, at which the alert handler is first called
   *     (4,000 of 5,000 is 80 %); 1 to {@code bufferSize}
   * @throws ConfigurationException naming the setting when a value is out of range
   */
  public BufferedPipeline(String name, int bufferSize, BackpressureStrategy backpressureStrategy, int alertThreshold) {
    super(FacadeNames.check("name", name));
    BufferManager.of(bufferSize, Objects.requireNonNull(backpressureStrategy, "backpressureStrategy"));
    if (alertThreshold < 1 || alertThreshold > bufferSize) {
      throw ConfigurationException.invalid("alertThreshold", alertThreshold,
          "must be between 1 and bufferSize " + bufferSize + " records");
    }
    this.bufferSize = bufferSize;
    this.strategy = backpressureStrategy;
    this.alertThreshold = alertThreshold;
  }

  /** @return the name */
  public String name() {
    return name;
  }

  /**
   * The tutorial's {@code @pipeline.consumer}: the function every record goes through. An
   * exception it throws follows the pipeline's error policy (SKIP by default: counted, logged).
   *
   * @param handler the consumer function; a non-null result goes to {@link #results} if set
   * @return this
   */
  public BufferedPipeline<T> consumer(Function<? super T, ?> handler) {
    this.consumer = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /**
   * The tutorial's {@code @pipeline.alert_handler}: called with a buffer's utilization (0 to 1)
   * when it reaches the alert threshold, and again at each further tenth of the capacity, with
   * hysteresis (see {@link BufferManager#withAlerts}); on the task's thread, so keep it quick.
   *
   * @param handler receives the utilization
   * @return this
   */
  public BufferedPipeline<T> alertHandler(DoubleConsumer handler) {
    this.alertHandler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /**
   * @param sink where dropped records go, as dead letters naming the strategy
   * @return this
   */
  public BufferedPipeline<T> deadLetters(Sink<DeadLetter> sink) {
    this.deadLetters = Objects.requireNonNull(sink, "sink");
    return this;
  }

  /**
   * @param rateLimiter the consumer runs no faster than this (records wait in the buffer)
   * @return this
   */
  public BufferedPipeline<T> rateLimit(RateLimiter rateLimiter) {
    this.limiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
    return this;
  }

  /**
   * @param sink receives the consumer's non-null results
   * @return this
   */
  @SuppressWarnings("unchecked")
  public BufferedPipeline<T> results(Sink<?> sink) {
    this.results = (Sink<Object>) Objects.requireNonNull(sink, "sink");
    return this;
  }

  /** @return the buffer settings this pipeline runs with */
  public BufferManager bufferManager() {
    BufferManager m = BufferManager.of(bufferSize, strategy);
    if (deadLetters != null) {
      m = m.withDeadLetters(deadLetters);
    }
    if (alertHandler != null) {
      m = m.withAlerts((double) alertThreshold / bufferSize, alertHandler);
    }
    return m;
  }

  @Override
  PipelineConfig configure(PipelineConfig config) {
    registry = config.meterRegistry();
    return config.toBuilder().bufferManager(bufferManager()).build();
  }

  @Override
  void checkComplete() {
    if (consumer == null) {
      throw new ConfigurationException("consumer", "BufferedPipeline '" + name + "' has no consumer function");
    }
  }

  @Override
  void build(Stream<T> input) {
    Stream<T> in = limiter == null ? input : input.rateLimit(limiter, Op.named(name + ".rate-limit"));
    Stream<Object> out = in.<Object>map(v -> {
      Object r = consumer.apply(v);
      return r == null ? NONE : r;
    }, Op.named(name + ".consumer")).filter(r -> r != NONE, Op.named(name + ".results"));
    if (results != null) {
      out.to(results);
    }
  }

  private static final Object NONE = new Object();

  /**
   * The tutorial's {@code get_buffer_stats()}: the buffers of the pipeline built last, summed over
   * its source partitions, read from its metrics.
   *
   * @return the statistics; all zero before the pipeline was built
   */
  public BufferStats bufferStats() {
    MeterRegistry r = registry;
    if (r == null) {
      return new BufferStats(0, 0, 0, 0, Duration.ZERO);
    }
    long size = (long) r.find("nip.buffer.size").tag("pipeline", name).gauges().stream()
        .mapToDouble(Gauge::value).filter(v -> !Double.isNaN(v)).sum();
    long capacity = (long) r.find("nip.buffer.capacity").tag("pipeline", name).gauges().stream()
        .mapToDouble(Gauge::value).filter(v -> !Double.isNaN(v)).sum();
    long dropped = (long) r.find("nip.buffer.dropped").tag("pipeline", name).counters().stream()
        .mapToDouble(Counter::count).sum();
    long blocked = (long) r.find("nip.buffer.blocked").tag("pipeline", name).counters().stream()
        .mapToDouble(Counter::count).sum();
    return new BufferStats(size, capacity, capacity == 0 ? 0 : (double) size / capacity, dropped,
        Duration.ofMillis(blocked));
  }

  @Override
  public String toString() {
    return "BufferedPipeline(" + name + ", bufferSize=" + bufferSize + ", " + strategy + ", alertThreshold="
        + alertThreshold + ")";
  }
}
