package io.nip.cli;

import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.examples.analytics.UserWindowSummary;
import io.nip.examples.analytics.UserEventFeed;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip load}: writes the lines of a JSON-lines file into a Kafka topic, one record per
 * non-empty line, bytes unchanged, keyed by {@code user_id} when the line is an object with a
 * string {@code user_id}, with the line number in the header {@value UserEventFeed#LINE_HEADER}.
 * A line that is not UTF-8 or too large for a record becomes a dead letter (dead-letter topic, and
 * {@code --dlq-output}) with its line number and reason; the load goes on. Lines that are UTF-8 but
 * not valid events are written: the job that reads the topic dead-letters them.
 *
 * <pre>{@code
 * nip load --topic user-events --input events.jsonl --bootstrap-servers localhost:9092
 * }</pre>
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {
        "Write the lines of a JSON-lines file into a Kafka topic (created with 3 partitions when missing): one",
        "record per non-empty line, bytes unchanged, key = user_id when the line has a string user_id, header",
        "nip.input.line = the line number. A line that is not UTF-8 or too large for a Kafka record is not",
        "written: it becomes a dead letter (topic --dlq-topic, and --dlq-output) with its line number and the",
        "reason. Lines that are not valid events are written; the job reading the topic dead-letters them.",
        "Prints a summary to standard error. Exit codes: 0 done, 2 bad arguments or files, or an unusable",
        "--bootstrap-servers, 3 done but more lines were bad than --max-bad-lines allows or every line was bad,",
        "130 stopped by Ctrl-C (the lines written so far stay in the topic)."})
public final class LoadCommand implements Callable<Integer> {
  /** The default cluster: the load outlives the command, so it never starts an embedded broker. */
  static final String DEFAULT_SERVERS = "localhost:9092";

  @Spec
  CommandSpec spec;

  @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = AnalyticsPipeline.INPUT_TOPIC,
      description = "the topic to write (default: ${DEFAULT-VALUE})")
  String topic;

  @Option(names = "--input", paramLabel = "FILE.jsonl", required = true, description = "the JSON-lines file to write")
  Path input;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = DEFAULT_SERVERS,
      description = "the Kafka cluster (default: ${DEFAULT-VALUE})")
  String bootstrapServers;

  @Option(names = "--dlq-topic", paramLabel = "TOPIC",
      description = "where refused lines go (default: the topic's name + '-dlq', e.g. user-events-dlq); created "
          + "with 1 partition when missing")
  String dlqTopic;

  @Option(names = "--dlq-output", paramLabel = "FILE.jsonl",
      description = "also write the refused lines here, one JSON line each (line, raw record, reason)")
  Path dlqOutput;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
      description = "partitions of the topic when it is created (default: ${DEFAULT-VALUE}); an existing topic is kept")
  int partitions;

  @Option(names = "--max-bad-lines", paramLabel = "N",
      description = "exit with code 3 when more than N lines were refused (default: no limit)")
  Long maxBadLines;

  @Override
  public Integer call() {
    validate();
    BootstrapCheck.require(bootstrapServers);
    String dlq = dlqTopic != null ? dlqTopic : topic + "-dlq";
    PrintWriter err = spec.commandLine().getErr();
    try (Outputs<UserWindowSummary> files = Outputs.open(null, dlqOutput, null); ShutdownHandler stops = ShutdownHandler.install()) {
      stops.stage("creating the topics", () -> { }, () -> "");
      int maxRecordBytes = KafkaTopics.ensure(bootstrapServers,
          List.of(new NewTopic(topic, partitions, (short) 1), new NewTopic(dlq, 1, (short) 1)), topic);
      stops.checkStop();
      long t0 = System.nanoTime();
      UserEventFeed feed = UserEventFeed.open(bootstrapServers, topic);
      stops.stage("loading " + input, () -> { }, () -> String.format("%,d lines written to %s", feed.sent(), topic));
      InputLoader.Result r = InputLoader.loadFile(feed, bootstrapServers, input, topic, dlq, "nip-load",
          maxRecordBytes, files.deadLetters(), stops::checkStop);
      double seconds = (System.nanoTime() - t0) / 1e9;
      err.printf("nip load: %s -> topic %s on %s%n", input, topic, bootstrapServers);
      err.printf("  %-16s %,14d%n", "lines read", r.lines());
      err.printf("  %-16s %,14d%n", "records written", r.sent());
      err.printf("  %-16s %,14d  (not UTF-8: %,d, too large for a record: %,d) -> topic %s%s%n", "lines refused",
          r.rejected(), r.notUtf8(), r.tooLarge(), dlq, dlqOutput != null ? " and " + dlqOutput : "");
      err.printf("  %-16s %14.3f s%n", "elapsed", seconds);
      err.flush();
      return verdict(r, dlq, err);
    }
  }

  private int verdict(InputLoader.Result r, String dlq, PrintWriter err) {
    long bad = r.rejected();
    String why = null;
    if (r.lines() > 0 && bad >= r.lines()) {
      why = String.format("every line was refused (%,d of %,d)", bad, r.lines());
    } else if (maxBadLines != null && bad > maxBadLines) {
      why = String.format("%,d line%s refused, more than --max-bad-lines %d allows", bad, bad == 1 ? "" : "s",
          maxBadLines);
    }
    if (why == null) {
      return 0;
    }
    err.println("nip: " + why + "; the dead letters say which and why (topic " + dlq
        + (dlqOutput != null ? ", file " + dlqOutput : "") + "); exit code " + AnalyticsCommand.EXIT_BAD_INPUT);
    err.flush();
    return AnalyticsCommand.EXIT_BAD_INPUT;
  }

  private void validate() {
    if (!Files.isRegularFile(input) || !Files.isReadable(input)) {
      throw new NipCommand.UsageException("--input " + input + ": no such readable file");
    }
    if (topic.isBlank()) {
      throw new NipCommand.UsageException("--topic must not be empty");
    }
    if (dlqTopic != null && (dlqTopic.isBlank() || dlqTopic.equals(topic))) {
      throw new NipCommand.UsageException("--dlq-topic " + dlqTopic + ": give a topic other than --topic");
    }
    if (partitions < 1 || partitions > 1000) {
      throw new NipCommand.UsageException("--partitions must be between 1 and 1000, but was " + partitions);
    }
    if (maxBadLines != null && maxBadLines < 0) {
      throw new NipCommand.UsageException("--max-bad-lines must be at least 0, but was " + maxBadLines);
    }
    Map<String, Path> outputs = new LinkedHashMap<>();
    outputs.put("--dlq-output", dlqOutput);
    Outputs.check(input, outputs);
  }
}
