package io.nip.monitoring.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads the engine's meters back out of a registry by name: the sums of counters, the largest of
 * gauges, the largest percentile of timers. Built-in health checks and statistics are computed from
 * these readings, so they see exactly what the exporters publish.
 *
 * <p>Stateless; safe from any thread (Micrometer meters are).
 */
public final class Readings {
  /** Records read by all sources ({@code FunctionCounter}, per source task). */
  public static final String SOURCE_RECORDS = "nip.source.records";
  /** Records whose processing failed, by outcome ({@code Counter}). */
  public static final String ERRORS = "nip.errors";
  /** Consumer lag per Kafka partition ({@code Gauge}). */
  public static final String CONSUMER_LAG = "nip.kafka.consumer.lag";
  /** Records in a source buffer ({@code Gauge}). */
  public static final String BUFFER_SIZE = "nip.buffer.size";
  /** Capacity of a source buffer ({@code Gauge}). */
  public static final String BUFFER_CAPACITY = "nip.buffer.capacity";
  /** End-to-end (event-time) latency at sinks ({@code Timer}, sampled). */
  public static final String EVENT_TIME_LATENCY = "nip.sink.latency.event.time";

  private Readings() {}

  /**
   * @param registry the registry
   * @param name a counter or function counter name
   * @return the sum of every counter of that name, 0 when there is none
   */
  public static double counterSum(MeterRegistry registry, String name) {
    double sum = 0;
    for (Meter m : registry.find(name).meters()) {
      if (m instanceof Counter) {
        sum += ((Counter) m).count();
      } else if (m instanceof FunctionCounter) {
        sum += ((FunctionCounter) m).count();
      }
    }
    return sum;
  }

  /**
   * @param registry the registry
   * @param name a gauge name
   * @return the largest value of the gauges of that name (NaN values left out), NaN when none has one
   */
  public static double gaugeMax(MeterRegistry registry, String name) {
    double max = Double.NaN;
    for (Gauge g : registry.find(name).gauges()) {
      double v = g.value();
      if (!Double.isNaN(v) && (Double.isNaN(max) || v > max)) {
        max = v;
      }
    }
    return max;
  }

  /**
   * The fullest source buffer: for each {@code nip.buffer.size} gauge the capacity gauge with the
   * same tags.
   *
   * @param registry the registry
   * @return the largest size / capacity, NaN when no buffer reports
   */
  public static double bufferUtilization(MeterRegistry registry) {
    double max = Double.NaN;
    for (Gauge size : registry.find(BUFFER_SIZE).gauges()) {
      List<Tag> tags = size.getId().getTags();
      Gauge capacity = registry.find(BUFFER_CAPACITY).tags(tags).gauge();
      if (capacity == null || !(capacity.value() > 0)) {
        continue;
      }
      double u = size.value() / capacity.value();
      if (!Double.isNaN(u) && (Double.isNaN(max) || u > max)) {
        max = u;
      }
    }
    return max;
  }

  /**
   * @param registry the registry
   * @param name a timer name
   * @param percentile a percentile the timers publish, e.g. 0.99
   * @return the largest value of that percentile over the timers of that name, in milliseconds;
   *     NaN when no timer publishes it
   */
  public static double timerPercentileMillis(MeterRegistry registry, String name, double percentile) {
    double max = Double.NaN;
    for (Timer t : registry.find(name).timers()) {
      for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
        if (v.percentile() == percentile) {
          double ms = v.value(TimeUnit.MILLISECONDS);
          max = Double.isNaN(max) ? ms : Math.max(max, ms);
        }
      }
    }
    return max;
  }
}
