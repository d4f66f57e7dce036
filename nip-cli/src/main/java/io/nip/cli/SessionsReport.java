package io.nip.cli;

import io.nip.examples.sessions.SessionsPipeline;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * The summary {@code nip demo sessions} and {@code nip run sessions} print to standard error: one
 * {@code label  number} row per count (which scripts and tests read), then the time and the rate.
 */
final class SessionsReport {
  private SessionsReport() {}

  /**
   * @param title the first line
   * @param c the job's counts
   * @param refusedAtLoad input lines the loader dead-lettered (not UTF-8, too large), or -1 when nothing was loaded
   * @param elapsed the job's run time
   * @param err where to print
   */
  static void print(String title, SessionsPipeline.Counters c, long refusedAtLoad, Duration elapsed, PrintWriter err) {
    long bad = c.badRecords() + Math.max(0, refusedAtLoad);
    double seconds = elapsed.toNanos() / 1e9;
    err.println(title);
    row(err, "events in", c.eventsIn());
    row(err, "bad lines", bad);
    row(err, "sessions out", c.sessionsOut());
    row(err, "late updates", c.lateUpdates());
    row(err, "late events", c.lateEvents());
    err.printf("  %-16s %14.3f s%n", "elapsed", seconds);
    err.printf("  %-16s %,14.0f%n", "events/s", seconds <= 0 ? 0 : c.eventsIn() / seconds);
    err.flush();
  }

  private static void row(PrintWriter err, String label, long n) {
    err.printf("  %-16s %,14d%n", label, n);
  }
}
