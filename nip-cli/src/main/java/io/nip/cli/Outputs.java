package io.nip.cli;

import io.nip.errors.DeadLetter;
import io.nip.event.Headers;
import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.DeadLetterJson;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.examples.analytics.UserWindowSummary;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of one run of {@code nip demo analytics} or {@code nip demo sessions}: results ({@code --output}), dead letters
 * ({@code --dlq-output}) and late events ({@code --late-output}), each absent when its option was
 * not given. {@link #check} refuses, before anything is opened, an output that is the input file
 * or another output (compared after resolving symbolic links), and a directory; {@link #open}
 * then creates every file, so an unwritable one fails with the OS's reason before the broker
 * starts and the input loads.
 */
final class Outputs<R> implements AutoCloseable {
  private final OutputFile<R> results;
  private final OutputFile<DeadLetter> deadLetters;
  private final OutputFile<AnalyticsEvent> late;

  private Outputs(OutputFile<R> results, OutputFile<DeadLetter> deadLetters,
      OutputFile<AnalyticsEvent> late) {
    this.results = results;
    this.deadLetters = deadLetters;
    this.late = late;
  }

  /**
   * @param input the input file, or null
   * @param outputs each output option's file (null when not given), in option order
   * @throws NipCommand.UsageException when an output is a directory, the input, or another output
   */
  static void check(Path input, Map<String, Path> outputs) {
    List<Map.Entry<String, Path>> given = new ArrayList<>();
    for (Map.Entry<String, Path> e : outputs.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      if (Files.isDirectory(e.getValue())) {
        throw new NipCommand.UsageException(e.getKey() + " " + e.getValue() + ": is a directory");
      }
      if (input != null && sameFile(e.getValue(), input)) {
        throw new NipCommand.UsageException(e.getKey() + " " + e.getValue() + " is the --input file: it would be"
            + " overwritten while it is read; write to another file");
      }
      for (Map.Entry<String, Path> earlier : given) {
        if (sameFile(e.getValue(), earlier.getValue())) {
          throw new NipCommand.UsageException(earlier.getKey() + " and " + e.getKey() + " name the same file "
              + e.getValue() + ": give each its own file");
        }
      }
      given.add(e);
    }
  }

  /**
   * @param a a path
   * @param b another path
   * @return true when both name the same file once relative paths, {@code ..} and symbolic links
   *     are resolved (for existing files: the same file, hard links included)
   */
  static boolean sameFile(Path a, Path b) {
    try {
      if (Files.exists(a) && Files.exists(b)) {
        return Files.isSameFile(a, b);
      }
      return resolved(a).equals(resolved(b));
    } catch (IOException e) {
      return resolved(a).equals(resolved(b));
    }
  }

  private static Path resolved(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    try {
      return dir != null && Files.isDirectory(dir) ? dir.toRealPath().resolve(abs.getFileName()) : abs;
    } catch (IOException e) {
      return abs;
    }
  }

  /**
   * Creates (or truncates) each given file.
   *
   * @param output results file, or null
   * @param dlqOutput dead-letter file, or null
   * @param lateOutput late-events file, or null
   * @return the open files; close them after the run
   * @throws NipCommand.UsageException naming the option, the file and the OS's reason
   */
  static Outputs<UserWindowSummary> open(Path output, Path dlqOutput, Path lateOutput) {
    return open(output, UserWindowSummary.SERDE, dlqOutput, lateOutput);
  }

  /**
   * @param output results file, or null
   * @param results how a result is written (one JSON line)
   * @param dlqOutput dead-letter file, or null
   * @param lateOutput late-events file, or null
   * @param <R> the result type
   * @return the open files; close them after the run
   * @throws NipCommand.UsageException naming the option, the file and the OS's reason
   */
  static <R> Outputs<R> open(Path output, Serde<R> results, Path dlqOutput, Path lateOutput) {
    OutputFile<R> r = null;
    OutputFile<DeadLetter> d = null;
    try {
      r = output == null ? null : OutputFile.open("--output", output, (s, h) -> results.serialize(s));
      DeadLetterJson json = new DeadLetterJson();
      d = dlqOutput == null ? null : OutputFile.open("--dlq-output", dlqOutput, (x, h) -> json.serialize(x));
      OutputFile<AnalyticsEvent> l = lateOutput == null ? null
          : OutputFile.open("--late-output", lateOutput, Outputs::lateLine);
      return new Outputs<>(r, d, l);
    } catch (RuntimeException e) {
      closeQuietly(r);
      closeQuietly(d);
      throw e;
    }
  }

  /**
   * A late event as one JSON line: its input line (null for generated events), then its fields.
   *
   * @param e the event
   * @param headers its record's headers
   * @return the line's bytes
   */
  static byte[] lateLine(AnalyticsEvent e, Headers headers) {
    Map<String, Object> m = new LinkedHashMap<>();
    String line = headers.lastString(UserEventFeed.LINE_HEADER);
    m.put("line", line == null ? null : Long.valueOf(line));
    m.put("event_id", e.eventId());
    m.put("user_id", e.userId());
    m.put("event_type", e.eventType());
    m.put("timestamp", e.eventTime().toString());
    m.put("value", e.value());
    try {
      return Serdes.objectMapper().writeValueAsBytes(m);
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  /** @return the results file, or null */
  OutputFile<R> results() {
    return results;
  }

  /** @return the dead-letter file, or null */
  OutputFile<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /** @return the late-events file, or null */
  OutputFile<AnalyticsEvent> late() {
    return late;
  }

  private static void closeQuietly(OutputFile<?> f) {
    if (f != null) {
      try {
        f.close();
      } catch (RuntimeException ignored) {
        // the open failure is what the user needs to see
      }
    }
  }

  /** Flushes and closes every file. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (OutputFile<?> f : new OutputFile<?>[] {results, deadLetters, late}) {
      try {
        if (f != null) {
          f.close();
        }
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
