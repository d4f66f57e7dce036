package io.nip.examples.fraud;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * False-positive monitoring of exercise 3: per pattern, alerts, labelled alerts (the triggering
 * payment carries {@code properties.label_fraud}) and false positives (labelled {@code false}),
 * as live counts and as Micrometer meters tagged {@code pipeline} and {@code pattern}:
 * {@value #ALERTS_METRIC}, {@value #LABELLED_METRIC}, {@value #FALSE_POSITIVES_METRIC} (counters) and
 * {@value #RATE_METRIC} (gauge, false positives / labelled alerts of all patterns, 0 when none is
 * labelled; also per pattern).
 *
 * <pre>{@code
 * FraudMonitor monitor = new FraudMonitor(registry, "fraud_detection");
 * alerts.peek(monitor::record);
 * double fpr = monitor.falsePositiveRate();
 * }</pre>
 *
 * <p>Counts follow the output guarantee: alerts produced again after a restore are counted again.
 * Safe to use from several threads.
 */
public final class FraudMonitor {
  /** Counter of alerts written, per pattern. */
  public static final String ALERTS_METRIC = "nip.fraud.alerts";
  /** Counter of alerts whose triggering payment is labelled, per pattern. */
  public static final String LABELLED_METRIC = "nip.fraud.alerts.labelled";
  /** Counter of alerts whose triggering payment is labelled {@code false}, per pattern. */
  public static final String FALSE_POSITIVES_METRIC = "nip.fraud.alerts.false_positives";
  /** Gauge: false positives / labelled alerts (0 when none is labelled), overall ({@code pattern=all}) and per pattern. */
  public static final String RATE_METRIC = "nip.fraud.false_positive.rate";

  private final Map<String, PatternCounts> perPattern = new LinkedHashMap<>();

  /**
   * @param registry where the meters are registered
   * @param pipeline the pipeline's name, tag {@code pipeline}
   */
  public FraudMonitor(MeterRegistry registry, String pipeline) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(pipeline, "pipeline");
    for (String p : FraudRules.PATTERNS) {
      PatternCounts c = new PatternCounts(
          Counter.builder(ALERTS_METRIC).tag("pipeline", pipeline).tag("pattern", p).register(registry),
          Counter.builder(LABELLED_METRIC).tag("pipeline", pipeline).tag("pattern", p).register(registry),
          Counter.builder(FALSE_POSITIVES_METRIC).tag("pipeline", pipeline).tag("pattern", p).register(registry));
      perPattern.put(p, c);
      Gauge.builder(RATE_METRIC, c, PatternCounts::rate).tag("pipeline", pipeline).tag("pattern", p)
          .register(registry);
    }
    Gauge.builder(RATE_METRIC, this, FraudMonitor::falsePositiveRate).tag("pipeline", pipeline).tag("pattern", "all")
        .register(registry);
  }

  /**
   * Counts one alert written.
   *
   * @param alert the alert; its pattern must be one of {@link FraudRules#PATTERNS}
   * @throws IllegalArgumentException for another pattern
   */
  public void record(FraudAlert alert) {
    PatternCounts c = perPattern.get(alert.pattern());
    if (c == null) {
      throw new IllegalArgumentException("unknown pattern: " + alert.pattern());
    }
    c.alerts.increment();
    c.alertsMeter.increment();
    if (alert.labelFraud() != null) {
      c.labelled.increment();
      c.labelledMeter.increment();
      if (!alert.labelFraud()) {
        c.falsePositives.increment();
        c.falsePositivesMeter.increment();
      }
    }
  }

  /** @return alerts per pattern, in rule order */
  public Map<String, Long> alertsPerPattern() {
    Map<String, Long> m = new LinkedHashMap<>();
    perPattern.forEach((p, c) -> m.put(p, c.alerts.sum()));
    return m;
  }

  /** @return all alerts counted */
  public long alerts() {
    return perPattern.values().stream().mapToLong(c -> c.alerts.sum()).sum();
  }

  /** @return alerts whose triggering payment is labelled */
  public long labelledAlerts() {
    return perPattern.values().stream().mapToLong(c -> c.labelled.sum()).sum();
  }

  /** @return labelled alerts whose triggering payment is labelled {@code false} */
  public long falsePositives() {
    return perPattern.values().stream().mapToLong(c -> c.falsePositives.sum()).sum();
  }

  /** @return {@link #falsePositives()} / {@link #labelledAlerts()}, 0 when no alert is labelled */
  public double falsePositiveRate() {
    long labelled = labelledAlerts();
    return labelled == 0 ? 0.0 : (double) falsePositives() / labelled;
  }

  /** The counts of one pattern: live sums and their meters. */
  private static final class PatternCounts {
    final LongAdder alerts = new LongAdder();
    final LongAdder labelled = new LongAdder();
    final LongAdder falsePositives = new LongAdder();
    final Counter alertsMeter;
    final Counter labelledMeter;
    final Counter falsePositivesMeter;

    PatternCounts(Counter alerts, Counter labelled, Counter falsePositives) {
      this.alertsMeter = alerts;
      this.labelledMeter = labelled;
      this.falsePositivesMeter = falsePositives;
    }

    double rate() {
      long l = labelled.sum();
      return l == 0 ? 0.0 : (double) falsePositives.sum() / l;
    }
  }
}
