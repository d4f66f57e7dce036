package io.nip.cli;

import io.nip.examples.KafkaJobBuilder;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.PipelineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Option;

/**
 * The options every {@code nip run <exercise>} command shares: the cluster, the stable consumer
 * group and instance id, bounded or not, the guarantee, the checkpoint interval, the three topics,
 * the watermark bound, threads, the state backend and consumer settings; their checks, and how they
 * configure an exercise's job builder. The exercise gives its default group and topics.
 */
final class RunOptions {
  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]+");

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", required = true,
      description = "the Kafka cluster holding the input topic (required)")
  String bootstrapServers;

  @Option(names = "--group", paramLabel = "G",
      description = "the consumer group; runs with the same group resume each other (default: nip-run-<exercise>)")
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

  @Option(names = "--input-topic", paramLabel = "TOPIC",
      description = "the input topic; must exist (default: user-events)")
  String inputTopic;

  @Option(names = "--output-topic", paramLabel = "TOPIC",
      description = "the results topic, created with 3 partitions when missing (default: the exercise's, "
          + "analytics-output or sessions-output)")
  String outputTopic;

  @Option(names = "--dlq-topic", paramLabel = "TOPIC",
      description = "the dead-letter topic, created with 1 partition when missing (default: user-events-dlq)")
  String dlqTopic;

  @Option(names = "--max-out-of-orderness", paramLabel = "DURATION", defaultValue = "30s",
      description = "watermark bound, e.g. 30s, 2m, PT30S (default: ${DEFAULT-VALUE})")
  String maxOutOfOrderness;

  @Option(names = "--threads", paramLabel = "T", description = "worker threads (default: available processors)")
  Integer threads;

  @Option(names = "--state", paramLabel = "memory|rocksdb|redis",
      description = "where the job's state lives (default: rocksdb with --state-dir, redis with --redis-uri, "
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

  /**
   * Fills the defaults of the exercise and checks every option.
   *
   * @param defaultGroup the exercise's group
   * @param input its input topic
   * @param output its results topic
   * @param dlq its dead-letter topic
   * @throws NipCommand.UsageException naming the bad option and value
   */
  void resolve(String defaultGroup, String input, String output, String dlq) {
    group = group == null ? defaultGroup : group;
    inputTopic = inputTopic == null ? input : inputTopic;
    outputTopic = outputTopic == null ? output : outputTopic;
    dlqTopic = dlqTopic == null ? dlq : dlqTopic;
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
    GuaranteeOption.parse(guarantee);
    StateOption.resolve(state, stateDir, redisUri);
  }

  /** @return the guarantee given */
  Guarantee guarantee() {
    return GuaranteeOption.parse(guarantee);
  }

  /**
   * Checks the cluster and the input topic, opens the state backend and creates the output topics.
   *
   * @return the open state backend; close it after the run
   * @throws NipCommand.UsageException when the cluster cannot be used or the input topic is missing
   */
  StateOption prepare() {
    BootstrapCheck.require(bootstrapServers);
    if (!KafkaTopics.exists(bootstrapServers, inputTopic)) {
      throw new NipCommand.UsageException("--input-topic " + inputTopic + ": no such topic on " + bootstrapServers
          + "; write it first, e.g. 'nip load --topic " + inputTopic + " --input FILE.jsonl'");
    }
    StateOption st = StateOption.open(state, stateDir, redisUri, group);
    KafkaTopics.ensure(bootstrapServers, List.of(new NewTopic(outputTopic, 3, (short) 1),
        new NewTopic(dlqTopic, 1, (short) 1)), outputTopic);
    return st;
  }

  /**
   * Sets a job's configuration, group, topics, guarantee, watermark bound, consumer settings,
   * instance id and boundedness from these options.
   *
   * @param b the exercise's builder
   * @param st the open state backend
   */
  void applyTo(KafkaJobBuilder<?, ?> b, StateOption st) {
    Guarantee g = guarantee();
    PipelineConfig.Builder cb = PipelineConfig.builder().stateBackend(st.backend()).guarantee(g);
    if (threads != null) {
      cb.threads(threads);
    }
    if (commitInterval != null) {
      cb.commitInterval(positive("--commit-interval", commitInterval));
    }
    b.config(cb.build()).guarantee(g).groupId(group).inputTopic(inputTopic).outputTopic(outputTopic)
        .deadLetterTopic(dlqTopic).maxOutOfOrderness(AnalyticsCommand.duration(maxOutOfOrderness));
    consumerProperties.forEach(b::consumerProperty);
    if (instanceId != null) {
      b.instanceId(instanceId);
    }
    if (bounded) {
      b.bounded();
    }
  }

  /**
   * @param state the state backend's description
   * @return "group G, guarantee, state S" for the started line
   */
  String describe(String state) {
    return "group " + group + ", " + GuaranteeOption.spelled(guarantee()) + ", state " + state;
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
