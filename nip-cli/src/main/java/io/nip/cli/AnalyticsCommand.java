package io.nip.cli;

import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.examples.analytics.UserWindowSummary;
import io.nip.pipeline.Guarantee;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip demo analytics}: the tutorial's exercise 1 on Kafka (embedded broker unless
 * {@code --bootstrap-servers} is given), or with {@code --platform kinesis|pubsub} on a local
 * Kinesis or Pub/Sub server it starts, over generated events or a JSON-lines file; prints a
 * summary to standard error.
 */
@Command(name = "analytics", mixinStandardHelpOptions = true,
    description = {
        "Exercise 1: user-events -> strict parse (bad lines to user-events-dlq) -> drop bots (user_id bot_*)",
        "-> 5-minute tumbling windows per user (count, distinct event types, sum of properties.value)",
        "-> analytics-output. Without --bootstrap-servers an embedded Kafka broker is started;",
        "--platform kinesis or pubsub runs the same job on a local Kinesis or Pub/Sub server instead.",
        "Without --input, generates events for 10,000 users with 5%% bot traffic.",
        "The windows' state lives in memory (default), in RocksDB (--state-dir) or in Redis (--redis-uri).",
        "An --input line that is not UTF-8, too large for Kafka, not JSON or not a valid event becomes a dead",
        "letter with its line number and the reason; the run goes on with the other lines.",
        "Prints a summary (counts, where the results went, the first results, elapsed, events/s, latency)",
        "to standard error.",
        "With --guarantee exactly-once, results and dead letters are written in Kafka transactions and read",
        "back read_committed for --output, --dlq-output and the summary.",
        "Backpressure: --buffer-size N puts a bounded buffer behind each input partition; when it is full,",
        "--overflow block pauses the input (nothing lost), drop-oldest / drop-newest drop records (counted in the",
        "summary); --rate-limit EVENTS/S (with --burst N) caps the events that reach the windows.",
        "Monitoring: --monitor serves /metrics (Prometheus), /health and a live dashboard on 127.0.0.1 while the",
        "demo runs (--port P, default any free port; the URLs are printed); --linger keeps them up until Ctrl-C.",
        "Exit codes: 0 done, 1 the run failed, 2 bad arguments or files, 3 done, but more lines were bad",
        "than --max-bad-lines allows or every input line was bad (results are written all the same)."})
public final class AnalyticsCommand implements Callable<Integer> {
  /**
   * Exit code of a run that completed and wrote its results, but had more bad input lines than
   * {@code --max-bad-lines} allows, or no good line at all.
   */
  public static final int EXIT_BAD_INPUT = 3;

  @Spec
  CommandSpec spec;

  @Mixin
  DemoInput demo;

  @Option(names = "--late-output", paramLabel = "FILE.jsonl",
      description = "write the late events (behind the watermark, in no window) here as JSON lines")
  Path lateOutput;

  @Option(names = "--max-bad-lines", paramLabel = "N",
      description = "exit with code 3 when more than N input lines are bad (default: no limit; "
          + "the results are written either way)")
  Long maxBadLines;

  @Option(names = "--max-out-of-orderness", paramLabel = "DURATION", defaultValue = "30s",
      description = "watermark bound, e.g. 30s, 2m, PT30S (default: ${DEFAULT-VALUE})")
  String maxOutOfOrderness;

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

  @Option(names = GuaranteeOption.NAME, paramLabel = GuaranteeOption.VALUES,
      description = "what the output promises after a failure (default: at-least-once). With exactly-once the job "
          + "writes results and dead letters in Kafka transactions (100 ms checkpoints); --output and --dlq-output "
          + "are then read back read_committed from the topics after the job, and --late-output is refused")
  String guarantee;

  @Option(names = Platform.OPTION, paramLabel = Platform.VALUES,
      description = "where the input, results and dead letters live (default: kafka). kinesis and pubsub start a "
          + "local server (kinesis-local from the repository's .services/, the gcloud Pub/Sub emulator) and run "
          + "at-least-once; not with --bootstrap-servers or --guarantee exactly-once")
  String platform;

  @Mixin
  BackpressureOptions backpressure;

  @Mixin
  MonitorOptions monitoring;

  @Override
  public Integer call() {
    validate();
    Guarantee g = GuaranteeOption.parse(guarantee);
    BootstrapCheck.require(demo.bootstrapServers);
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    String groupId = "nip-demo-analytics-" + UUID.randomUUID();
    // opened before the broker starts: a directory or server that cannot be used is a usage error
    // output files are created first: one that cannot be written is a usage error before any work
    PrintWriter err = spec.commandLine().getErr();
    try (MonitorOptions.Monitoring monitor = monitoring.start("analytics", "NIP analytics demo (exercise 1)", err);
        Outputs<UserWindowSummary> files = Outputs.open(demo.output, demo.dlqOutput, lateOutput);
        StateOption st = StateOption.open(state, stateDir, redisUri, groupId)) {
      AnalyticsDemo.Settings settings = new AnalyticsDemo.Settings(demo.events, demo.input, files,
          demo.seed, t, demo.bootstrapServers, duration(maxOutOfOrderness), groupId, st.backend(), g, backpressure,
          monitor == null ? null : monitor.registry());
      Platform p = Platform.parse(platform);
      String[] server = {demo.bootstrapServers != null ? demo.bootstrapServers : "embedded"};
      AnalyticsDemo.Summary s = p == Platform.KAFKA ? AnalyticsDemo.run(settings)
          : PlatformDemo.run(settings, p, d -> server[0] = d);
      new AnalyticsReport(describeInput(), demo.input != null, p.title() + " " + server[0],
          p != Platform.KAFKA || demo.bootstrapServers == null, demo.output, demo.dlqOutput, lateOutput)
          .print(s, st.description(), GuaranteeOption.spelled(g), backpressure, err);
      int code = verdict(s, err);
      if (monitor != null && monitoring.linger) {
        err.println("nip: the demo ended; serving the monitoring at " + monitor.dashboard.url() + " until Ctrl-C");
        err.flush();
        UntilStopped.await("serving the monitoring");
      }
      return code;
    }
  }

  private String describeInput() {
    return demo.input != null ? "input " + demo.input
        : String.format("generator (%,d events, 10,000 users, 5%% bots, seed %d)", demo.events, demo.seed);
  }

  /** @return the exit code for what the run met in its input, with a message when it is not 0 */
  private int verdict(AnalyticsDemo.Summary s, PrintWriter err) {
    long bad = s.badLines();
    String why = null;
    if (s.linesIn() > 0 && bad >= s.linesIn()) {
      why = String.format("every input line was bad (%,d of %,d)", bad, s.linesIn());
    } else if (maxBadLines != null && bad > maxBadLines) {
      why = String.format("%,d bad input line%s, more than --max-bad-lines %d allows", bad, bad == 1 ? "" : "s",
          maxBadLines);
    }
    if (why == null) {
      return 0;
    }
    err.println("nip: " + why + "; the dead letters say which and why (topic " + AnalyticsPipeline.DLQ_TOPIC
        + (demo.dlqOutput != null ? ", file " + demo.dlqOutput : "") + "); exit code " + EXIT_BAD_INPUT);
    err.flush();
    return EXIT_BAD_INPUT;
  }

  private void validate() {
    demo.validate(spec);
    if (threads != null && (threads < 1 || threads > 1024)) {
      throw new NipCommand.UsageException("--threads must be between 1 and 1024, but was " + threads);
    }
    if (maxBadLines != null && maxBadLines < 0) {
      throw new NipCommand.UsageException("--max-bad-lines must be at least 0, but was " + maxBadLines);
    }
    duration(maxOutOfOrderness);
    Platform p = Platform.parse(platform);
    if (p != Platform.KAFKA && demo.bootstrapServers != null) {
      throw new NipCommand.UsageException("--bootstrap-servers names a Kafka cluster: not with --platform "
          + p.spelled() + ", which starts its own local server");
    }
    if (p != Platform.KAFKA && GuaranteeOption.parse(guarantee) == Guarantee.EXACTLY_ONCE) {
      throw new NipCommand.UsageException("--guarantee exactly-once needs Kafka transactions: --platform "
          + p.spelled() + " runs at-least-once");
    }
    if (GuaranteeOption.parse(guarantee) == Guarantee.EXACTLY_ONCE && lateOutput != null) {
      throw new NipCommand.UsageException("--late-output is not available with --guarantee exactly-once: late events"
          + " have no topic, and a file cannot be part of the job's Kafka transactions (they are counted in the summary)");
    }
    Map<String, Path> outputs = new LinkedHashMap<>();
    outputs.put("--output", demo.output);
    outputs.put("--dlq-output", demo.dlqOutput);
    outputs.put("--late-output", lateOutput);
    Outputs.check(demo.input, outputs);
    StateOption.resolve(state, stateDir, redisUri);
    backpressure.validate();
    monitoring.validate();
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
}
