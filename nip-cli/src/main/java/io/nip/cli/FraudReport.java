package io.nip.cli;

import io.nip.examples.fraud.FraudMonitor;
import io.nip.examples.fraud.FraudPipeline;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * The summary of a fraud run on standard error: counts, alerts per pattern, labelled alerts and the
 * false-positive rate, where the alerts went, elapsed time. Shared by {@code nip demo fraud} and
 * {@code nip run fraud}.
 */
final class FraudReport {
  private final String title;
  private final FraudPipeline job;
  private final Duration elapsed;
  private String where = "";

  FraudReport(String title, FraudPipeline job, Duration elapsed) {
    this.title = title;
    this.job = job;
    this.elapsed = elapsed;
  }

  FraudReport where(String destinations) {
    this.where = destinations;
    return this;
  }

  /** @param linesIn input lines written by the run, or a negative number when it wrote none */
  void print(PrintWriter err, long linesIn) {
    FraudPipeline.Counters c = job.counters();
    FraudMonitor m = job.monitor();
    err.println(title + ": done");
    if (linesIn >= 0) {
      err.printf("  %-22s %,14d%n", "lines in", linesIn);
    }
    err.printf("  %-22s %,14d%n", "events in", c.eventsIn());
    err.printf("  %-22s %,14d%n", "payments", c.payments());
    err.printf("  %-22s %,14d%n", "bad lines", c.badRecords());
    err.printf("  %-22s %,14d%n", "late payments", c.latePayments());
    err.printf("  %-22s %,14d%n", "alerts", m.alerts());
    m.alertsPerPattern().forEach((p, n) -> err.printf("  %-22s %,14d%n", "  " + p, n));
    err.printf("  %-22s %,14d%n", "labelled alerts", m.labelledAlerts());
    err.printf("  %-22s %,14d%n", "false positives", m.falsePositives());
    err.printf("  %-22s %14.3f%n", "false-positive rate", m.falsePositiveRate());
    err.printf("  %-22s %14.3f s%n", "elapsed", elapsed.toNanos() / 1e9);
    if (!where.isEmpty()) {
      err.println("  alerts written to " + where);
    }
    err.flush();
  }
}
