package io.nip.backpressure;

import io.nip.errors.ConfigurationException;
import io.nip.time.NipClock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A rate limiter whose rate follows a health metric (the tutorial's
 * {@code DynamicThrottler(initial_rate, max_rate, min_rate, adjustment_factor, metric)}): the rate
 * rises by the adjustment factor while the metric is healthy and falls by it when it is not, never
 * leaving {@code [minRate, maxRate]}.
 *
 * <pre>{@code
 * DynamicThrottler throttler = new DynamicThrottler(100, 10, 1000, 1.1, DynamicThrottler.Metric.PROCESSING_TIME);
 * pipeline.from(source).map(throttler.throttle(this::process)).to(sink);  // measures process() itself
 * }</pre>
 *
 * <h2>Control law</h2>
 * Values given to {@link #recordMetric(double)} are averaged over each adjustment interval
 * (default 1 s on the throttler's clock); at the first value after an interval ended, the mean
 * {@code m} becomes a load {@code L}, compared with the target {@code x} (a fraction, see below)
 * and the factor {@code f}:
 * <ul>
 *   <li>{@code L > x}: overloaded, {@code rate = max(minRate, rate / f)};
 *   <li>{@code L < x / f}: healthy, {@code rate = min(maxRate, rate * f)};
 *   <li>otherwise hold the rate.
 * </ul>
 * The dead band is exactly one factor wide, so one raise can never carry a healthy load past the
 * target, and a rate that entered the band stays there while the load keeps its shape: the law
 * settles instead of oscillating.
 *
 * <p>{@link Metric#QUEUE_SIZE} and {@link Metric#MEMORY_USAGE} measure what accumulates: a queue
 * grows while the rate is above the sustainable one and shrinks only as fast as the difference,
 * so a queue past its target says the rate <em>was</em> too high, not that it still is. For them
 * the law also weighs the trend {@code d}: the interval's last value less its mean (for a queue
 * that grows or drains steadily, half the change over the interval), significant beyond 2 % of the
 * target. Over the target the rate falls only while the metric is not falling (a queue that drains
 * already is left to drain), and under {@code x / f} it rises only while the metric is not rising. Without this
 * the rate kept falling, interval after interval, while a queue built by a short stall of the
 * handler drained, and went far below the sustainable rate. Loads per metric:
 * <ul>
 *   <li>{@link Metric#PROCESSING_TIME}: {@code m} is the handler's time per record in
 *       milliseconds and {@code L = rate * m / 1000}, the fraction of a thread the handler uses at
 *       the current rate (its utilization); the default target is 0.9, so the rate settles between
 *       0.82 and 0.9 times the sustainable rate {@code 1000 / m}.
 *   <li>{@link Metric#QUEUE_SIZE}: {@code m} is the number of records waiting (e.g. the
 *       {@code nip.buffer.size} gauge) and {@code L = m / target}; default target 1,000 records.
 *   <li>{@link Metric#MEMORY_USAGE}: {@code m} is the used fraction of the maximum heap (0 to 1,
 *       {@link #recordMemoryUsage()} reads it) and {@code L = m / target}; default target 0.75.
 * </ul>
 *
 * <p>A rate change reaches the {@link #limiter()} at its next token (the time until then is
 * credited at the old rate). Thread-safe.
 */
public final class DynamicThrottler {
  /** What the throttler watches. */
  public enum Metric {
    /** Milliseconds the handler takes per record. */
    PROCESSING_TIME,
    /** Records waiting in a buffer or queue. */
    QUEUE_SIZE,
    /** Used fraction of the maximum heap, 0 to 1. */
    MEMORY_USAGE;

    /**
     * @param name {@code "processing_time"}, {@code "queue_size"} or {@code "memory_usage"}
     *     (case-insensitive), or a constant's name
     * @return the metric
     * @throws ConfigurationException naming {@code metric} when unknown
     */
    public static Metric fromName(String name) {
      return Names.parse(Metric.class, "metric", name, "processing_time, queue_size, memory_usage");
    }

    double defaultTarget() {
      switch (this) {
        case PROCESSING_TIME:
          return 0.9;
        case QUEUE_SIZE:
          return 1_000;
        default:
          return 0.75;
      }
    }
  }

  private final double minRate;
  private final double maxRate;
  private final double factor;
  private final Metric metric;
  private final double target;
  private final long intervalMillis;
  private final NipClock clock;
  private final RateLimiter limiter;
  /** The part of the target a mean must move by between intervals to count as a trend. */
  static final double TREND_TOLERANCE = 0.02;
  private long windowStart = Long.MIN_VALUE;
  /** The latest value recorded. */
  private double last;
  private double sum;
  private long count;

  /**
   * @param initialRate the starting rate, events per second, within {@code [minRate, maxRate]}
   * @param minRate the lowest rate, events per second, at least {@value RateLimiter#MIN_RATE}
   * @param maxRate the highest rate, events per second
   * @param adjustmentFactor the step, greater than 1 and at most 10 (1.1 = 10 %)
   * @param metric what decides health
   * @throws ConfigurationException naming the setting when a value is out of range
   */
  public DynamicThrottler(double initialRate, double minRate, double maxRate, double adjustmentFactor, Metric metric) {
    this(initialRate, minRate, maxRate, adjustmentFactor, metric, Objects.requireNonNull(metric, "metric").defaultTarget(),
        Duration.ofSeconds(1), NipClock.system(), 1);
  }

  private DynamicThrottler(double initialRate, double minRate, double maxRate, double factor, Metric metric,
      double target, Duration interval, NipClock clock, int burst) {
    RateLimiter.checkRate("minRate", minRate);
    RateLimiter.checkRate("maxRate", maxRate);
    if (minRate > maxRate) {
      throw ConfigurationException.invalid("minRate", minRate, "must not exceed maxRate " + maxRate);
    }
    if (!(initialRate >= minRate && initialRate <= maxRate)) {
      throw ConfigurationException.invalid("initialRate", initialRate,
          "must be between minRate " + minRate + " and maxRate " + maxRate);
    }
    if (!(factor > 1 && factor <= 10)) {
      throw ConfigurationException.invalid("adjustmentFactor", factor, "must be greater than 1 and at most 10");
    }
    if (!(target > 0) || Double.isInfinite(target)) {
      throw ConfigurationException.invalid("target", target, "must be positive");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw ConfigurationException.invalid("adjustmentInterval", interval, "must be positive");
    }
    this.minRate = minRate;
    this.maxRate = maxRate;
    this.factor = factor;
    this.metric = metric;
    this.target = target;
    this.intervalMillis = interval.toMillis();
    this.clock = clock;
    this.limiter = new RateLimiter(initialRate, burst);
  }

  /**
   * The tutorial's spelling of the metric: {@code new DynamicThrottler(100, 10, 1000, 1.1, "processing_time")}.
   *
   * @param initialRate events per second
   * @param minRate events per second
   * @param maxRate events per second
   * @param adjustmentFactor the step, greater than 1
   * @param metric {@code "processing_time"}, {@code "queue_size"} or {@code "memory_usage"}
   * @return the throttler
   */
  public static DynamicThrottler of(double initialRate, double minRate, double maxRate, double adjustmentFactor,
      String metric) {
    return new DynamicThrottler(initialRate, minRate, maxRate, adjustmentFactor, Metric.fromName(metric));
  }

  /**
   * @param value the target of the control law: for PROCESSING_TIME the utilization to stay under
   *     (a fraction, e.g. 0.9), for QUEUE_SIZE records, for MEMORY_USAGE a heap fraction
   * @return a copy with that target, starting again from the current rate
   */
  public DynamicThrottler withTarget(double value) {
    return copy(value, Duration.ofMillis(intervalMillis), clock, limiter.burstSize());
  }

  /**
   * @param interval how often the rate may change, on the throttler's clock (default 1 s)
   * @return a copy with that interval, starting again from the current rate
   */
  public DynamicThrottler withAdjustmentInterval(Duration interval) {
    return copy(target, Objects.requireNonNull(interval, "adjustmentInterval"), clock, limiter.burstSize());
  }

  /**
   * @param clock the clock of the adjustment interval and of measured processing times; give the
   *     pipeline's clock (a {@code ManualClock} in tests)
   * @return a copy on that clock, starting again from the current rate
   */
  public DynamicThrottler withClock(NipClock clock) {
    return copy(target, Duration.ofMillis(intervalMillis), Objects.requireNonNull(clock, "clock"), limiter.burstSize());
  }

  /**
   * @param burstSize the limiter's burst, records (default 1: the rate is followed closely)
   * @return a copy with that burst, starting again from the current rate
   */
  public DynamicThrottler withBurstSize(int burstSize) {
    return copy(target, Duration.ofMillis(intervalMillis), clock, burstSize);
  }

  private DynamicThrottler copy(double newTarget, Duration interval, NipClock newClock, int burst) {
    return new DynamicThrottler(limiter.maxRate(), minRate, maxRate, factor, metric, newTarget, interval, newClock, burst);
  }

  /** @return the limiter whose rate this throttler adjusts; give it to {@code Stream.rateLimit} */
  public RateLimiter limiter() {
    return limiter;
  }

  /** @return the current rate, events per second */
  public double rate() {
    return limiter.maxRate();
  }

  /** @return the watched metric */
  public Metric metric() {
    return metric;
  }

  /** @return the control law's target (see the class comment for its unit per metric) */
  public double target() {
    return target;
  }

  /**
   * Records one observation of the metric; at the first one after an adjustment interval ended,
   * the rate is adjusted from the interval's mean (see the class comment).
   *
   * @param value PROCESSING_TIME: milliseconds per record; QUEUE_SIZE: records; MEMORY_USAGE: heap
   *     fraction 0 to 1; must be finite and not negative
   * @throws IllegalArgumentException when the value is negative, NaN or infinite
   */
  public synchronized void recordMetric(double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("metric value must be finite and not negative: " + value);
    }
    long now = clock.millis();
    if (windowStart == Long.MIN_VALUE) {
      windowStart = now;
    } else if (now - windowStart >= intervalMillis && count > 0) {
      adjust(sum / count, last);
      windowStart = now;
      sum = 0;
      count = 0;
    }
    last = value;
    sum += value;
    count++;
  }

  /**
   * @param duration the time a record took (PROCESSING_TIME)
   */
  public void recordProcessingTime(Duration duration) {
    recordMetric(duration.toNanos() / 1e6);
  }

  /** Records the JVM's used fraction of its maximum heap (MEMORY_USAGE). */
  public void recordMemoryUsage() {
    Runtime r = Runtime.getRuntime();
    recordMetric((double) (r.totalMemory() - r.freeMemory()) / r.maxMemory());
  }

  private void adjust(double mean, double lastValue) {
    double rate = limiter.maxRate();
    // PROCESSING_TIME: the handler's utilization against the target fraction; else m / target against 1
    boolean utilization = metric == Metric.PROCESSING_TIME;
    double load = utilization ? rate * mean / 1000.0 : mean / target;
    double limit = utilization ? target : 1.0;
    // QUEUE_SIZE and MEMORY_USAGE accumulate: their trend says whether the rate is too high now
    double trend = utilization ? 0 : lastValue - mean;
    double tolerance = TREND_TOLERANCE * target;
    double next = rate;
    if (load > limit && trend >= -tolerance) {
      next = Math.max(minRate, rate / factor);
    } else if (load < limit / factor && trend <= tolerance) {
      next = Math.min(maxRate, rate * factor);
    }
    if (next != rate) {
      limiter.setRate(next);
    }
  }

  /**
   * Wraps a handler like {@link RateLimiter#throttle(Function)} (given to {@code Stream.map} it
   * runs behind {@link #limiter()}); with {@link Metric#PROCESSING_TIME} each call's duration on
   * the throttler's clock is recorded, so the rate follows the handler's speed by itself.
   *
   * @param handler the function to throttle
   * @param <T> its input
   * @param <R> its result
   * @return the throttled function
   */
  public <T, R> Throttled<T, R> throttle(Function<? super T, ? extends R> handler) {
    Objects.requireNonNull(handler, "handler");
    if (metric != Metric.PROCESSING_TIME) {
      return limiter.throttle(handler);
    }
    return limiter.throttle((T value) -> {
      long start = clock.nanoTime();
      try {
        return handler.apply(value);
      } finally {
        recordMetric((clock.nanoTime() - start) / 1e6);
      }
    });
  }

  @Override
  public String toString() {
    return "DynamicThrottler(rate=" + rate() + "/s in [" + minRate + ", " + maxRate + "], factor=" + factor
        + ", metric=" + metric + ", target=" + target + ")";
  }
}
