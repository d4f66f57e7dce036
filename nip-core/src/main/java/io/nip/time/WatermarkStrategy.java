package io.nip.time;

import io.nip.errors.ConfigurationException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a source assigns event time and derives watermarks. The watermark of a partition is the
 * largest event time seen minus the allowed out-of-orderness; a partition that has been silent for
 * the idle timeout stops holding the watermark of its pipeline back.
 *
 * <pre>{@code
 * WatermarkStrategy<UserEvent> s = WatermarkStrategy.<UserEvent>boundedOutOfOrderness(Duration.ofSeconds(30))
 *     .withTimestamps(UserEvent::eventTime).withIdleTimeout(Duration.ofMinutes(1));
 * }</pre>
 *
 * <p>Without a timestamp assigner, a value that implements {@link io.nip.event.Event} gives its
 * {@code eventTime()}, otherwise the source's own timestamp is used (e.g. the Kafka record
 * timestamp), and failing that the processing time.
 *
 * @param <T> the value type
 */
public final class WatermarkStrategy<T> {
  private final Duration maxOutOfOrderness;
  private final TimestampAssigner<? super T> assigner;
  private final Duration idleTimeout;
  private final boolean processingTime;

  private WatermarkStrategy(
      Duration maxOutOfOrderness, TimestampAssigner<? super T> assigner, Duration idleTimeout, boolean processingTime) {
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.assigner = assigner;
    this.idleTimeout = idleTimeout;
    this.processingTime = processingTime;
  }

  /**
   * @param maxOutOfOrderness how far behind the largest time seen an event may arrive, not negative
   * @param <T> the value type
   * @return a strategy with that bound and no idle timeout
   */
  public static <T> WatermarkStrategy<T> boundedOutOfOrderness(Duration maxOutOfOrderness) {
    return new WatermarkStrategy<T>(checkBound(maxOutOfOrderness), null, null, false);
  }

  /**
   * Event time is the wall clock at the moment the record is read (processing time).
   *
   * @param <T> the value type
   * @return the processing-time strategy
   */
  public static <T> WatermarkStrategy<T> processingTime() {
    return new WatermarkStrategy<T>(Duration.ZERO, null, null, true);
  }

  /**
   * @param timestampAssigner extracts the event time of each value
   * @return a copy using that assigner
   */
  public WatermarkStrategy<T> withTimestamps(TimestampAssigner<? super T> timestampAssigner) {
    Objects.requireNonNull(timestampAssigner, "timestampAssigner");
    return new WatermarkStrategy<>(maxOutOfOrderness, timestampAssigner, idleTimeout, processingTime);
  }

  /**
   * @param timeout silence after which a partition no longer holds the watermark back; positive
   * @return a copy with that idle timeout
   */
  public WatermarkStrategy<T> withIdleTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw ConfigurationException.invalid("idleTimeout", timeout, "must be positive");
    }
    return new WatermarkStrategy<>(maxOutOfOrderness, assigner, timeout, processingTime);
  }

  /** @return the allowed out-of-orderness */
  public Duration maxOutOfOrderness() {
    return maxOutOfOrderness;
  }

  /** @return the timestamp assigner, or null for the default (Event time, then source time) */
  public TimestampAssigner<? super T> timestampAssigner() {
    return assigner;
  }

  /** @return the idle timeout, or null to use the pipeline's default */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** @return whether event time is the processing time */
  public boolean isProcessingTime() {
    return processingTime;
  }

  private static Duration checkBound(Duration bound) {
    Objects.requireNonNull(bound, "maxOutOfOrderness");
    if (bound.isNegative()) {
      throw ConfigurationException.invalid("maxOutOfOrderness", bound, "must not be negative");
    }
    return bound;
  }
}
