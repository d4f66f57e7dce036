package io.nip.cli;

import io.nip.examples.analytics.AnalyticsPipeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The summary {@code nip demo analytics} prints to standard error: the counts (one
 * {@code label  number} row each, which scripts and tests read), timings, where results, dead
 * letters and late events went (topics and files), and the first few results, so that a first run
 * shows what it produced. A latency without samples prints as {@code n/a}.
 */
final class AnalyticsReport {
  private final String from;
  private final boolean fileInput;
  private final String platform;
  private final boolean localServer;
  private final Path output;
  private final Path dlqOutput;
  private final Path lateOutput;

  /**
   * @param from where the events came from, for the first line
   * @param fileInput true when they came from a file (then its line count is shown)
   * @param platform the platform and its server, e.g. {@code Kafka embedded}
   * @param localServer whether the server was started for this run (and is gone now)
   * @param output the results file, or null
   * @param dlqOutput the dead-letter file, or null
   * @param lateOutput the late-events file, or null
   */
  AnalyticsReport(String from, boolean fileInput, String platform, boolean localServer, Path output, Path dlqOutput,
      Path lateOutput) {
    this.from = from;
    this.fileInput = fileInput;
    this.platform = platform;
    this.localServer = localServer;
    this.output = output;
    this.dlqOutput = dlqOutput;
    this.lateOutput = lateOutput;
  }

  /**
   * @param s what happened
   * @param stateBackend the state backend's description
   * @param guarantee the guarantee, as {@code --guarantee} spells it
   * @param backpressure the backpressure options of the run
   * @param err where to print
   */
  void print(AnalyticsDemo.Summary s, String stateBackend, String guarantee, BackpressureOptions backpressure,
      PrintWriter err) {
    err.println("nip demo analytics: " + from + ", " + platform);
    err.printf("  %-16s %s%n", "state backend", stateBackend);
    err.printf("  %-16s %s%n", "guarantee", guarantee);
    err.printf("  %-16s %s%n", "backpressure", backpressure.description());
    if (fileInput) {
      row(err, "lines read", s.linesIn());
    }
    row(err, "events in", s.eventsIn());
    if (backpressure.drops()) {
      row(err, "dropped (buffer)", s.dropped());
    }
    row(err, "bots filtered", s.botsFiltered());
    row(err, "bad lines", s.badLines());
    row(err, "late events", s.lateEvents());
    row(err, "windows out", s.windowsOut());
    err.printf("  %-16s %14.3f s%n", "input load", s.loadTime().toNanos() / 1e9);
    err.printf("  %-16s %14.3f s%n", "elapsed", s.elapsed().toNanos() / 1e9);
    err.printf("  %-16s %,14.0f events/s%n", "throughput", s.eventsPerSecond());
    latency(err, "latency p50", s.p50());
    latency(err, "latency p99", s.p99());
    err.println("  (latency: from parsing a record on its source task to updating its window; elapsed and");
    err.println("   throughput cover the pipeline run only, from start until every window was written)");
    if (s.badLines() > 0) {
      err.printf("  bad lines: %,d refused while loading (not UTF-8, or too large for a record), %,d refused by the"
          + " parser (not JSON, or not a valid event)%n", s.refusedAtLoad(), s.badRecords());
    }
    destinations(s, err);
    err.flush();
  }

  private void destinations(AnalyticsDemo.Summary s, PrintWriter err) {
    where(err, "results", AnalyticsPipeline.OUTPUT_TOPIC, output, null);
    where(err, "dead letters", AnalyticsPipeline.DLQ_TOPIC, dlqOutput, null);
    where(err, "late events", null, lateOutput, "counted only; --late-output FILE writes them");
    if (localServer) {
      err.println("  (the " + (platform.startsWith("Kafka") ? "embedded broker" : "local server")
          + " and its topics are gone when the run ends; the files stay)");
    }
    if (!s.firstResults().isEmpty()) {
      err.printf("  first %d of %,d results (by window start, then user):%n", s.firstResults().size(), s.windowsOut());
      s.firstResults().forEach(line -> err.println("    " + line));
    }
  }

  private static void where(PrintWriter err, String what, String topic, Path file, String otherwise) {
    StringBuilder b = new StringBuilder();
    if (topic != null) {
      b.append("topic ").append(topic);
    }
    if (file != null) {
      b.append(b.length() > 0 ? ", " : "").append("file ").append(file);
    }
    err.printf("  %-16s %s%n", what + " ->", b.length() > 0 ? b : otherwise);
  }

  private static void latency(PrintWriter err, String label, Duration d) {
    if (d == null) {
      err.printf("  %-16s %14s%n", label, "n/a");
    } else {
      err.printf("  %-16s %14.3f ms%n", label, d.toNanos() / 1e6);
    }
  }

  private static void row(PrintWriter err, String label, long value) {
    err.printf("  %-16s %,14d%n", label, value);
  }
}
