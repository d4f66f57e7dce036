package io.nip.cli;

import io.nip.examples.fraud.AlertTable;
import io.nip.examples.fraud.FraudPipeline;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip run fraud}: exercise 3 ({@link FraudPipeline}) over an existing input topic with a
 * stable consumer group, so that a stopped or killed run resumes from the group's committed offsets
 * and its state (changelogs, and the RocksDB directory when given). Alerts go to the alerts topic
 * and, with {@code --jdbc-url}, into the table {@code fraud_alerts} (created when missing;
 * idempotent, so replays after a restart add no row).
 *
 * <pre>{@code
 * nip run fraud --bootstrap-servers localhost:9092 --group fraud --state-dir /var/nip --jdbc-url jdbc:postgresql://db/app
 * }</pre>
 */
@Command(name = "fraud", mixinStandardHelpOptions = true,
    description = {
        "Exercise 3 over existing topics: user-events -> strict parse (bad records to user-events-dlq) -> fraud",
        "rules per user -> fraud-alerts, and with --jdbc-url the PostgreSQL table fraud_alerts. The consumer group",
        "is stable (--group): a run stopped or killed resumes when started again with the same --group and",
        "--state-dir. Unbounded (Ctrl-C stops it cleanly) unless --bounded.",
        "Prints a summary of this run (counts, alerts per pattern, false-positive rate) to standard error.",
        "Exit codes: 0 done (bounded), 1 the run failed, 2 bad arguments or a missing input topic, 130 stopped."})
public final class RunFraudCommand implements Callable<Integer> {
  /** The default consumer group: the same on every start, so runs resume. */
  static final String DEFAULT_GROUP = "nip-run-fraud";

  @Spec
  CommandSpec spec;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", required = true,
      description = "the Kafka cluster holding the input topic (required)")
  String bootstrapServers;

  @Option(names = "--group", paramLabel = "G", defaultValue = DEFAULT_GROUP,
      description = "consumer group (default: ${DEFAULT-VALUE})")
  String group;

  @Option(names = "--bounded", description = "read up to the end offsets taken at start, evaluate everything and exit")
  boolean bounded;

  @Option(names = GuaranteeOption.NAME, paramLabel = GuaranteeOption.VALUES,
      description = "what the alerts topic promises after a failure (default: at-least-once)")
  String guarantee;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "keep the state in RocksDB in this directory")
  Path stateDir;

  @Option(names = "--jdbc-url", paramLabel = "URL", description = "also store the alerts in this PostgreSQL database")
  String jdbcUrl;

  @Option(names = "--jdbc-user", paramLabel = "USER", description = "user of --jdbc-url (password: PGPASSWORD)")
  String jdbcUser;

  @Option(names = "--input-topic", paramLabel = "TOPIC", defaultValue = FraudPipeline.INPUT_TOPIC,
      description = "input topic (default: ${DEFAULT-VALUE})")
  String inputTopic;

  @Option(names = "--output-topic", paramLabel = "TOPIC", defaultValue = FraudPipeline.OUTPUT_TOPIC,
      description = "alerts topic (default: ${DEFAULT-VALUE})")
  String outputTopic;

  @Option(names = "--dlq-topic", paramLabel = "TOPIC", defaultValue = FraudPipeline.DLQ_TOPIC,
      description = "dead-letter topic (default: ${DEFAULT-VALUE})")
  String dlqTopic;

  @Override
  public Integer call() {
    Guarantee g = GuaranteeOption.parse(guarantee);
    if (group.isBlank()) {
      throw new NipCommand.UsageException("--group must not be empty");
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new NipCommand.UsageException("--jdbc-url " + jdbcUrl + ": not a jdbc:postgresql: URL");
    }
    BootstrapCheck.require(bootstrapServers);
    if (!KafkaTopics.exists(bootstrapServers, inputTopic)) {
      throw new NipCommand.UsageException("--input-topic " + inputTopic + ": no such topic on " + bootstrapServers
          + "; write it first, e.g. 'nip load --topic " + inputTopic + " --input FILE.jsonl'");
    }
    PrintWriter err = spec.commandLine().getErr();
    try (StateOption st = StateOption.open(null, stateDir, null, group);
        FraudCommand.Database db = jdbcUrl == null ? null : FraudCommand.Database.open(jdbcUrl, jdbcUser);
        ShutdownHandler stops = ShutdownHandler.install()) {
      KafkaTopics.ensure(bootstrapServers, List.of(new NewTopic(outputTopic, 3, (short) 1),
          new NewTopic(dlqTopic, 1, (short) 1)), outputTopic);
      FraudPipeline.Builder b = FraudPipeline.builder(bootstrapServers).groupId(group).inputTopic(inputTopic)
          .outputTopic(outputTopic).deadLetterTopic(dlqTopic).guarantee(g)
          .config(PipelineConfig.builder().stateBackend(st.backend()).guarantee(g).build());
      AlertTable table = null;
      if (db != null) {
        table = AlertTable.of(db.dataSource(), AlertTable.DEFAULT_TABLE);
        table.createIfMissing();
        b.alertTable(table);
      }
      if (bounded) {
        b.bounded();
      }
      FraudPipeline job = b.build();
      long start = System.nanoTime();
      try (PipelineHandle h = job.start()) {
        err.printf("nip run fraud: started: group %s, %s, state %s, %s -> %s%s, %s%n", group,
            GuaranteeOption.spelled(g), st.description(), inputTopic, outputTopic,
            table != null ? " and table " + table.name() : "", bounded ? "bounded" : "unbounded (Ctrl-C stops it)");
        err.flush();
        stops.stage("processing", h::stop, () -> String.format("%,d events read, %,d alerts",
            job.counters().eventsIn(), job.monitor().alerts()));
        h.awaitTermination();
        stops.checkStop();
      }
      new FraudReport("nip run fraud", job, Duration.ofNanos(System.nanoTime() - start))
          .where(outputTopic + (table != null ? ", table " + table.name() + " at " + jdbcUrl : ""))
          .print(err, -1);
      return 0;
    }
  }
}
