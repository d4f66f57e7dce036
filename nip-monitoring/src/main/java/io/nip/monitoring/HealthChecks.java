package io.nip.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.Deltas;
import io.nip.monitoring.internal.Readings;
import io.nip.monitoring.internal.Settings;
import io.nip.time.NipClock;
import java.util.Locale;
import java.util.Objects;

/**
 * The tutorial's built-in health checks, read from the meters the engine records in a pipeline's
 * registry ({@code PipelineConfig#meterRegistry()}, e.g. {@link MetricsCollector#registry()}).
 *
 * <pre>{@code
 * monitor.healthCheck("consumer_lag", HealthChecks.consumerLag(collector.registry(), 1000));
 * }</pre>
 */
public final class HealthChecks {
  private HealthChecks() {}

  /**
   * UP while every Kafka partition's consumer lag ({@code nip.kafka.consumer.lag}) is below
   * {@code maxRecords}, DEGRADED otherwise; UP when no partition reports a lag.
   *
   * @param registry the pipeline's registry
   * @param maxRecords the lag limit in records (the tutorial: 1000); positive
   * @return the check
   * @throws ConfigurationException when {@code maxRecords} is not positive
   */
  public static HealthCheck consumerLag(MeterRegistry registry, long maxRecords) {
    Objects.requireNonNull(registry, "registry");
    if (maxRecords <= 0) {
      throw ConfigurationException.invalid("consumer lag limit", maxRecords, "must be positive");
    }
    return () -> {
      double lag = Readings.gaugeMax(registry, Readings.CONSUMER_LAG);
      if (Double.isNaN(lag)) {
        return HealthResult.up("no consumer lag reported");
      }
      String detail = String.format(Locale.ROOT, "max consumer lag %.0f records (limit %d)", lag, maxRecords);
      return lag < maxRecords ? HealthResult.up(detail) : HealthResult.degraded(detail);
    };
  }

  /**
   * UP while records that failed ({@code nip.errors}) per record read ({@code nip.source.records})
   * since the check's previous run stay below {@code maxRate}, DOWN otherwise.
   *
   * @param registry the pipeline's registry
   * @param maxRate the limit, above 0 and at most 1 (the tutorial: 0.01)
   * @param clock the clock of the monitor
   * @return the check (it keeps the counts of its previous run)
   * @throws ConfigurationException when {@code maxRate} is outside (0, 1]
   */
  public static HealthCheck errorRate(MeterRegistry registry, double maxRate, NipClock clock) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(clock, "clock");
    Settings.fraction("error rate limit", maxRate);
    Deltas deltas = new Deltas(registry, clock);
    return () -> {
      Deltas.Window w = deltas.next();
      String detail = String.format(Locale.ROOT, "error rate %.4f over %.0f records (limit %s)",
          w.errorRate(), w.records(), maxRate);
      return w.errorRate() < maxRate ? HealthResult.up(detail) : HealthResult.down(detail);
    };
  }

  /**
   * UP while every source buffer ({@code nip.buffer.size} / {@code nip.buffer.capacity}) is less than
   * {@code maxRatio} full, DEGRADED otherwise; UP when the pipeline has no buffer.
   *
   * @param registry the pipeline's registry
   * @param maxRatio the limit, above 0 and at most 1 (the tutorial: 0.8)
   * @return the check
   * @throws ConfigurationException when {@code maxRatio} is outside (0, 1]
   */
  public static HealthCheck bufferUtilization(MeterRegistry registry, double maxRatio) {
    Objects.requireNonNull(registry, "registry");
    Settings.fraction("buffer utilization limit", maxRatio);
    return () -> {
      double u = Readings.bufferUtilization(registry);
      if (Double.isNaN(u)) {
        return HealthResult.up("no source buffer");
      }
      String detail = String.format(Locale.ROOT, "fullest buffer %.1f%% (limit %.1f%%)", u * 100, maxRatio * 100);
      return u < maxRatio ? HealthResult.up(detail) : HealthResult.degraded(detail);
    };
  }
}
