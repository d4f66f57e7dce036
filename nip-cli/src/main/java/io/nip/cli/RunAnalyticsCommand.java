package io.nip.cli;

import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip run analytics}: exercise 1 ({@link AnalyticsPipeline}) over an existing input topic,
 * with a stable consumer group, so that a run stopped (Ctrl-C) or killed resumes from the group's
 * committed offsets and its state (changelogs, and the RocksDB directory when given) when it is
 * started again with the same {@code --group}, {@code --state-dir} and {@code --instance-id}.
 * Unbounded unless {@code --bounded}. Writes only to Kafka: results to the output topic, dead letters
 * to the dead-letter topic (files are the demo's business: under exactly-once a file could not be
 * part of the job's transactions; read the topics {@code read_committed} instead).
 *
 * <pre>{@code
 * nip run analytics --bootstrap-servers localhost:9092 --group analytics --state-dir /var/nip --guarantee exactly-once
 * }</pre>
 */
@Command(name = "analytics", mixinStandardHelpOptions = true,
    description = {
        "Exercise 1 over existing topics: user-events -> strict parse (bad records to user-events-dlq) -> drop bots",
        "-> 5-minute tumbling windows per user -> analytics-output. Loads nothing (see 'nip load'); the output and",
        "dead-letter topics are created when missing. The consumer group is stable (--group), so a run that was",
        "stopped or killed resumes where the group's last commit left off when started again with the same",
        "--group, --state-dir and --instance-id. Unbounded (Ctrl-C stops it cleanly) unless --bounded, which reads",
        "up to the end offsets taken at start, closes every window and exits.",
        "With --guarantee exactly-once, results, dead letters, state changes and offsets commit in one Kafka",
        "transaction per checkpoint: read analytics-output with isolation.level=read_committed.",
        "Backpressure: --buffer-size N puts a bounded buffer behind each input partition; when it is full,",
        "--overflow block pauses the input (nothing lost), drop-oldest / drop-newest drop records (counted in the",
        "summary, their offsets committed); --rate-limit EVENTS/S (with --burst N) caps the events that reach the",
        "windows.",
        "Prints one line when the job has started and a summary of this run to standard error when it ends.",
        "Exit codes: 0 done (bounded), 1 the run failed, 2 bad arguments, an unusable --bootstrap-servers or state,",
        "or a missing input topic, 130 stopped by Ctrl-C or SIGTERM."})
public final class RunAnalyticsCommand implements Callable<Integer> {
  /** The default consumer group: the same on every start, so runs resume. */
  static final String DEFAULT_GROUP = "nip-run-analytics";
  /** The first line a run prints once its job has started. */
  static final String STARTED = "nip run analytics: started";

  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]+");

  @Spec
  CommandSpec spec;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", required = true,
      description = "the Kafka cluster holding the input topic (required)")
  String bootstrapServers;

  @Option(names = "--group", paramLabel = "G", defaultValue = DEFAULT_GROUP,
      description = "the consumer group; runs with the same group resume each other (default: ${DEFAULT-VALUE})")
  String group;

  @Option(names = "--instance-id", paramLabel = "ID",
      description = "names this instance for its transactional producers; keep it across restarts, give "
          + "instances running at the same time distinct ids (default: the host name)")
  String instanceId;

  @Option(names = "--bounded",
      description = "read up to the end offsets taken at start, close every window and exit (default: unbounded)")
  boolean bounded;

  @Option(names = GuaranteeOption.NAME, paramLabel = GuaranteeOption.VALUES,
      description = "what the output promises after a failure (default: at-least-once)")
  String guarantee;

  @Option(names = "--commit-interval", paramLabel = "DURATION",
      description = "checkpoint interval, e.g. 100ms, 5s (default: 5s, or 100ms with exactly-once)")
  String commitInterval;

  @Option(names = "--input-topic", paramLabel = "TOPIC", defaultValue = AnalyticsPipeline.INPUT_TOPIC,
      description = "the input topic; must exist (default: ${DEFAULT-VALUE})")
  String inputTopic;

  @Option(names = "--output-topic", paramLabel = "TOPIC", defaultValue = AnalyticsPipeline.OUTPUT_TOPIC,
      description = "the results topic, created with 3 partitions when missing (default: ${DEFAULT-VALUE})")
  String outputTopic;

  @Option(names = "--dlq-topic", paramLabel = "TOPIC", defaultValue = AnalyticsPipeline.DLQ_TOPIC,
      description = "the dead-letter topic, created with 1 partition when missing (default: ${DEFAULT-VALUE})")
  String dlqTopic;

  @Option(names = "--input-keyed-by-user",
      description = "the input's record key is user_id (as 'nip load' writes it): windows stay in the source tasks")
  boolean inputKeyedByUser;

  @Option(names = "--max-out-of-orderness", paramLabel = "DURATION", defaultValue = "30s",
      description = "watermark bound, e.g. 30s, 2m, PT30S (default: ${DEFAULT-VALUE})")
  String maxOutOfOrderness;

  @Option(names = "--threads", paramLabel = "T", description = "worker threads (default: available processors)")
  Integer threads;

  @Option(names = "--state", paramLabel = "memory|rocksdb|redis",
      description = "where the windows' state lives (default: rocksdb with --state-dir, redis with --redis-uri, "
          + "else memory); in every case it is also kept in Kafka changelogs, so a restart restores it")
  String state;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "RocksDB's directory (created when missing, kept across runs); implies --state rocksdb")
  Path stateDir;

  @Option(names = "--redis-uri", paramLabel = "URI",
      description = "the Redis server of --state redis; keys under the group's name; implies --state redis")
  String redisUri;

  @Option(names = "--consumer-property", paramLabel = "KEY=VALUE",
      description = "a Kafka consumer setting of the input, e.g. session.timeout.ms=6000 (a killed run's "
          + "partitions move to its successor once its session timed out); repeatable")
  Map<String, String> consumerProperties = new LinkedHashMap<>();

  @Mixin
  BackpressureOptions backpressure;

  @Override
  public Integer call() {
    Guarantee g = GuaranteeOption.parse(guarantee);
    validate();
    BootstrapCheck.require(bootstrapServers);
    if (!KafkaTopics.exists(bootstrapServers, inputTopic)) {
      throw new NipCommand.UsageException("--input-topic " + inputTopic + ": no such topic on " + bootstrapServers
          + "; write it first, e.g. 'nip load --topic " + inputTopic + " --input FILE.jsonl'");
    }
    PrintWriter err = spec.commandLine().getErr();
    try (StateOption st = StateOption.open(state, stateDir, redisUri, group);
        ShutdownHandler stops = ShutdownHandler.install()) {
      stops.stage("creating the topics", () -> { }, () -> "");
      KafkaTopics.ensure(bootstrapServers, List.of(new NewTopic(outputTopic, 3, (short) 1),
          new NewTopic(dlqTopic, 1, (short) 1)), outputTopic);
      stops.checkStop();
      AnalyticsPipeline job = build(g, st);
      long start = System.nanoTime();
      try (PipelineHandle h = job.start()) {
        err.printf("%s: group %s, %s, state %s, backpressure %s, %s -> %s (dead letters: %s), %s%n", STARTED,
            group, GuaranteeOption.spelled(g), st.description(), backpressure.description(), inputTopic, outputTopic,
            dlqTopic, bounded ? "bounded" : "unbounded (Ctrl-C stops it)");
        err.flush();
        stops.stage("processing", h::stop, () -> String.format("%,d events read, %,d windows written",
            job.counters().eventsIn(), job.counters().windowsOut()));
        h.awaitTermination();
        stops.checkStop();
      }
      summary(job, Duration.ofNanos(System.nanoTime() - start), err);
      return 0;
    }
  }

  private AnalyticsPipeline build(Guarantee g, StateOption st) {
    PipelineConfig.Builder cb = PipelineConfig.builder().stateBackend(st.backend()).guarantee(g);
    if (threads != null) {
      cb.threads(threads);
    }
    if (commitInterval != null) {
      cb.commitInterval(positive("--commit-interval", commitInterval));
    }
    AnalyticsPipeline.Builder b = AnalyticsPipeline.builder(bootstrapServers).config(cb.build()).guarantee(g)
        .groupId(group).inputTopic(inputTopic).outputTopic(outputTopic).deadLetterTopic(dlqTopic)
        .maxOutOfOrderness(AnalyticsCommand.duration(maxOutOfOrderness));
    consumerProperties.forEach(b::consumerProperty);
    backpressure.applyTo(b);
    if (instanceId != null) {
      b.instanceId(instanceId);
    }
    if (bounded) {
      b.bounded();
    }
    if (inputKeyedByUser) {
      b.inputKeyedByUser();
    }
    return b.build();
  }

  private void summary(AnalyticsPipeline job, Duration elapsed, PrintWriter err) {
    AnalyticsPipeline.Counters c = job.counters();
    err.println("nip run analytics: done (this run)");
    err.printf("  %-16s %,14d%n", "events in", c.eventsIn());
    if (backpressure.drops()) {
      long dropped = BackpressureOptions.dropped(job.pipeline().config().meterRegistry());
      err.printf("  %-16s %,14d%n", "dropped (buffer)", dropped);
    }
    err.printf("  %-16s %,14d%n", "bots filtered", c.botsFiltered());
    err.printf("  %-16s %,14d%n", "bad records", c.badRecords());
    err.printf("  %-16s %,14d%n", "late events", c.lateEvents());
    err.printf("  %-16s %,14d%n", "windows out", c.windowsOut());
    err.printf("  %-16s %14.3f s%n", "elapsed", elapsed.toNanos() / 1e9);
    err.flush();
  }

  private void validate() {
    if (threads != null && (threads < 1 || threads > 1024)) {
      throw new NipCommand.UsageException("--threads must be between 1 and 1024, but was " + threads);
    }
    if (group.isBlank()) {
      throw new NipCommand.UsageException("--group must not be empty");
    }
    if (instanceId != null && !INSTANCE_ID.matcher(instanceId).matches()) {
      throw new NipCommand.UsageException("--instance-id " + instanceId + ": use letters, digits, '.', '_' and '-'");
    }
    for (String[] t : new String[][] {{"--input-topic", inputTopic}, {"--output-topic", outputTopic},
        {"--dlq-topic", dlqTopic}}) {
      if (t[1].isBlank()) {
        throw new NipCommand.UsageException(t[0] + " must not be empty");
      }
    }
    if (outputTopic.equals(inputTopic) || dlqTopic.equals(inputTopic) || dlqTopic.equals(outputTopic)) {
      throw new NipCommand.UsageException("--input-topic, --output-topic and --dlq-topic must be three different "
          + "topics, but were " + inputTopic + ", " + outputTopic + ", " + dlqTopic);
    }
    AnalyticsCommand.duration(maxOutOfOrderness);
    if (commitInterval != null) {
      positive("--commit-interval", commitInterval);
    }
    StateOption.resolve(state, stateDir, redisUri);
    backpressure.validate();
  }

  private static Duration positive(String option, String text) {
    Duration d;
    try {
      d = AnalyticsCommand.duration(text);
    } catch (NipCommand.UsageException e) {
      throw new NipCommand.UsageException(option + " " + text + ": not a duration (e.g. 100ms, 5s or PT5S)");
    }
    if (d.isZero()) {
      throw new NipCommand.UsageException(option + " must be positive, but was " + text);
    }
    return d;
  }
}
