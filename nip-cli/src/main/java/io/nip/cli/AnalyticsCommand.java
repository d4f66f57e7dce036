package io.nip.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip demo analytics}: runs the analytics pipeline over generated events or a JSON-lines
 * file and prints a summary to standard error.
 */
@Command(name = "analytics", mixinStandardHelpOptions = true,
    description = {
        "Parse user events, drop bots (user_id bot_*), route purchase / signup / other, write the kept events.",
        "Without --input, generates events for " + AnalyticsDemo.USERS + " users with 5%% bot traffic.",
        "Prints a summary (counts, elapsed, events/s) to standard error."})
public final class AnalyticsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--events", paramLabel = "N", defaultValue = "100000",
      description = "events to generate (default: ${DEFAULT-VALUE}); not with --input")
  long events;

  @Option(names = "--input", paramLabel = "FILE.jsonl",
      description = "read user events from this JSON-lines file instead of generating them")
  Path input;

  @Option(names = "--output", paramLabel = "FILE.jsonl", description = "write the kept events here as JSON lines")
  Path output;

  @Option(names = "--dlq-output", paramLabel = "FILE.jsonl",
      description = "write lines that fail to parse here; without it they are counted and skipped")
  Path dlqOutput;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "generator seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--threads", paramLabel = "T",
      description = "worker threads (default: available processors)")
  Integer threads;

  @Override
  public Integer call() {
    validate();
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    AnalyticsDemo.Summary s = AnalyticsDemo.run(
        new AnalyticsDemo.Settings(events, input, output, dlqOutput, seed, t));
    print(s, spec.commandLine().getErr());
    return 0;
  }

  private void validate() {
    boolean eventsGiven = spec.commandLine().getParseResult().hasMatchedOption("--events");
    if (input != null && eventsGiven) {
      throw new NipCommand.UsageException("--events and --input exclude each other: give one of them");
    }
    if (events < 1) {
      throw new NipCommand.UsageException("--events must be at least 1, but was " + events);
    }
    if (threads != null && (threads < 1 || threads > 1024)) {
      throw new NipCommand.UsageException("--threads must be between 1 and 1024, but was " + threads);
    }
    if (input != null && (!Files.isRegularFile(input) || !Files.isReadable(input))) {
      throw new NipCommand.UsageException("--input " + input + ": no such readable file");
    }
    checkWritable("--output", output);
    checkWritable("--dlq-output", dlqOutput);
    if (output != null && dlqOutput != null && output.toAbsolutePath().normalize().equals(dlqOutput.toAbsolutePath().normalize())) {
      throw new NipCommand.UsageException("--output and --dlq-output must be different files");
    }
  }

  private static void checkWritable(String option, Path file) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new NipCommand.UsageException(option + " " + file + ": is a directory");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && Files.exists(dir) && !Files.isWritable(dir)) {
      throw new NipCommand.UsageException(option + " " + file + ": directory is not writable");
    }
  }

  private void print(AnalyticsDemo.Summary s, PrintWriter err) {
    String from = input != null ? "input " + input
        : String.format("generator (%,d events, %,d users, %.0f%% bots, seed %d)", events, AnalyticsDemo.USERS,
            AnalyticsDemo.BOT_RATIO * 100, seed);
    err.println("nip demo analytics: " + from);
    row(err, "events in", s.eventsIn());
    row(err, "bad lines", s.badLines());
    row(err, "bots filtered", s.botsFiltered());
    row(err, "events out", s.eventsOut());
    for (Map.Entry<String, Long> e : s.perRoute().entrySet()) {
      row(err, "route " + e.getKey(), e.getValue());
    }
    err.printf("  %-16s %14.3f s%n", "elapsed", s.elapsed().toNanos() / 1e9);
    err.printf("  %-16s %,14.0f events/s%n", "throughput", s.eventsPerSecond());
    if (output != null) {
      err.println("  kept events written to " + output);
    }
    if (dlqOutput != null) {
      err.println("  bad lines written to " + dlqOutput);
    }
    err.flush();
  }

  private static void row(PrintWriter err, String label, long value) {
    err.printf("  %-16s %,14d%n", label, value);
  }
}
