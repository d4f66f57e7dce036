package io.nip.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip demo analytics}: the tutorial's exercise 1 on Kafka (embedded broker unless
 * {@code --bootstrap-servers} is given) over generated events or a JSON-lines file; prints a
 * summary to standard error.
 */
@Command(name = "analytics", mixinStandardHelpOptions = true,
    description = {
        "Exercise 1: user-events -> strict parse (bad lines to user-events-dlq) -> drop bots (user_id bot_*)",
        "-> 5-minute tumbling windows per user (count, distinct event types, sum of properties.value)",
        "-> analytics-output. Without --bootstrap-servers an embedded Kafka broker is started.",
        "Without --input, generates events for 10,000 users with 5%% bot traffic.",
        "The windows' state lives in memory (default), in RocksDB (--state-dir) or in Redis (--redis-uri).",
        "Prints a summary (counts, elapsed, events/s, latency) to standard error."})
public final class AnalyticsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--events", paramLabel = "N", defaultValue = "100000",
      description = "events to generate (default: ${DEFAULT-VALUE}); not with --input")
  long events;

  @Option(names = "--input", paramLabel = "FILE.jsonl",
      description = "read user events from this JSON-lines file instead of generating them")
  Path input;

  @Option(names = "--output", paramLabel = "FILE.jsonl",
      description = "also write the window results here as JSON lines")
  Path output;

  @Option(names = "--dlq-output", paramLabel = "FILE.jsonl",
      description = "also write the dead letters (bad lines with their reasons) here as JSON lines")
  Path dlqOutput;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "use this Kafka cluster instead of starting an embedded broker")
  String bootstrapServers;

  @Option(names = "--max-out-of-orderness", paramLabel = "DURATION", defaultValue = "30s",
      description = "watermark bound, e.g. 30s, 2m, PT30S (default: ${DEFAULT-VALUE})")
  String maxOutOfOrderness;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "generator seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--threads", paramLabel = "T",
      description = "worker threads (default: available processors)")
  Integer threads;

  @Option(names = "--state", paramLabel = "memory|rocksdb|redis",
      description = "where the windows' state lives (default: rocksdb with --state-dir, redis with --redis-uri, "
          + "else memory)")
  String state;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "RocksDB's directory (created when missing); implies --state rocksdb")
  Path stateDir;

  @Option(names = "--redis-uri", paramLabel = "URI",
      description = "the Redis server of --state redis (default: " + StateOption.DEFAULT_REDIS_URI
          + "); implies --state redis")
  String redisUri;

  @Override
  public Integer call() {
    validate();
    BootstrapCheck.require(bootstrapServers);
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    String groupId = "nip-demo-analytics-" + UUID.randomUUID();
    // opened before the broker starts: a directory or server that cannot be used is a usage error
    try (StateOption st = StateOption.open(state, stateDir, redisUri, groupId)) {
      AnalyticsDemo.Summary s = AnalyticsDemo.run(new AnalyticsDemo.Settings(events, input, output, dlqOutput, seed, t,
          bootstrapServers, duration(maxOutOfOrderness), groupId, st.backend()));
      print(s, st.description(), spec.commandLine().getErr());
    }
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
    duration(maxOutOfOrderness);
    checkWritable("--output", output);
    checkWritable("--dlq-output", dlqOutput);
    if (output != null && dlqOutput != null && output.toAbsolutePath().normalize().equals(dlqOutput.toAbsolutePath().normalize())) {
      throw new NipCommand.UsageException("--output and --dlq-output must be different files");
    }
    StateOption.resolve(state, stateDir, redisUri);
  }

  /**
   * @param text {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT30S})
   * @return the duration
   */
  static Duration duration(String text) {
    Matcher m = Pattern.compile("([0-9]+)(ms|s|m|h)").matcher(text.trim());
    try {
      Duration d;
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        d = switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      } else {
        d = Duration.parse(text.trim().toUpperCase(java.util.Locale.ROOT));
      }
      if (d.isNegative()) {
        throw new NipCommand.UsageException("--max-out-of-orderness must not be negative, but was " + text);
      }
      return d;
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new NipCommand.UsageException("--max-out-of-orderness " + text + ": not a duration (e.g. 30s or PT30S)");
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

  private void print(AnalyticsDemo.Summary s, String stateBackend, PrintWriter err) {
    String from = input != null ? "input " + input : String.format("generator (%,d events, 10,000 users, 5%% bots, seed %d)", events, seed);
    err.println("nip demo analytics: " + from + ", Kafka " + (bootstrapServers != null ? bootstrapServers : "embedded"));
    err.printf("  %-16s %s%n", "state backend", stateBackend);
    row(err, "events in", s.eventsIn());
    row(err, "bots filtered", s.botsFiltered());
    row(err, "bad lines", s.badLines());
    row(err, "late events", s.lateEvents());
    row(err, "windows out", s.windowsOut());
    err.printf("  %-16s %14.3f s%n", "input load", s.loadTime().toNanos() / 1e9);
    err.printf("  %-16s %14.3f s%n", "elapsed", s.elapsed().toNanos() / 1e9);
    err.printf("  %-16s %,14.0f events/s%n", "throughput", s.eventsPerSecond());
    err.printf("  %-16s %14.3f ms%n", "latency p50", s.p50().toNanos() / 1e6);
    err.printf("  %-16s %14.3f ms%n", "latency p99", s.p99().toNanos() / 1e6);
    err.println("  (latency: from parsing a record on its source task to updating its window; elapsed and");
    err.println("   throughput cover the pipeline run only, from start until every window was written)");
    if (output != null) {
      err.println("  window results written to " + output);
    }
    if (dlqOutput != null) {
      err.println("  dead letters written to " + dlqOutput);
    }
    err.flush();
  }

  private static void row(PrintWriter err, String label, long value) {
    err.printf("  %-16s %,14d%n", label, value);
  }
}
