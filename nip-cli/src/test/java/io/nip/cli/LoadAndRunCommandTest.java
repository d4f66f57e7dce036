package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.analytics.AnalyticsReference;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.examples.analytics.UserWindowSummary;
import io.nip.kafka.embedded.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nip load} and {@code nip run analytics} against an embedded broker started by the test:
 * bad lines become dead letters with their line numbers, records are keyed by user, a bounded run
 * gives the demo's windows (under both guarantees), and bad options exit with 2 and one clear line.
 */
class LoadAndRunCommandTest {
  private static EmbeddedKafka kafka;
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private int run(String... args) {
    return NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
        .execute(args);
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    KafkaTopics.readCommitted(kafka.bootstrapServers(), topic, Map.of(), out::add);
    return out;
  }

  private static String header(ConsumerRecord<?, ?> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static Set<UserWindowSummary> windows(String topic) {
    return read(topic).stream().map(r -> UserWindowSummary.SERDE.deserialize(r.value())).collect(Collectors.toSet());
  }

  @Test
  void when_a_file_is_loaded_then_good_lines_are_keyed_by_user_and_bad_ones_are_dead_letters_with_line_numbers(
      @TempDir Path dir) throws Exception {
    // Given a file with a line that is not UTF-8, one too large for the topic, a line without user_id,
    // one that is not JSON, and an empty line
    kafka.createTopic("load-in", 3, Map.of("max.message.bytes", "2000"));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes(("{\"user_id\":\"user_1\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:00Z\"}\n"
        + "{\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:00Z\"}\r\n"
        + "\n"
        + "not json\n").getBytes(StandardCharsets.UTF_8));
    file.writeBytes(new byte[] {'{', '"', 'u', (byte) 0xC3, '"', '}', '\n'});
    file.writeBytes(("{\"user_id\":\"user_2\",\"pad\":\"" + "x".repeat(3_000) + "\"}\n").getBytes(StandardCharsets.UTF_8));
    file.writeBytes("{\"user_id\":\"user_3\",\"event_type\":\"search\",\"timestamp\":0}".getBytes(StandardCharsets.UTF_8));
    Path in = dir.resolve("in.jsonl");
    Files.write(in, file.toByteArray());
    Path dlqFile = dir.resolve("dlq.jsonl");

    // When it is loaded
    int code = run("load", "--topic", "load-in", "--input", in.toString(), "--bootstrap-servers",
        kafka.bootstrapServers(), "--dlq-output", dlqFile.toString());

    // Then the good lines are records, bytes unchanged, keyed by user_id when they have one, with their line numbers
    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    Map<String, String[]> byLine = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : read("load-in")) {
      byLine.put(header(r, UserEventFeed.LINE_HEADER), new String[] {text(r.key()), text(r.value())});
    }
    assertThat(byLine.keySet()).containsExactlyInAnyOrder("1", "2", "4", "7");
    assertThat(byLine.get("1")[0]).isEqualTo("user_1");
    assertThat(byLine.get("2")[0]).isNull();
    assertThat(byLine.get("2")[1]).doesNotEndWith("\r");
    assertThat(byLine.get("4")).containsExactly(null, "not json");
    assertThat(byLine.get("7")[0]).isEqualTo("user_3");
    // ... and the refused ones are dead letters, in the topic and the file, naming line and reason
    List<ConsumerRecord<byte[], byte[]>> dead = read("load-in-dlq");
    assertThat(dead).extracting(r -> header(r, UserEventFeed.LINE_HEADER)).containsExactlyInAnyOrder("5", "6");
    assertThat(dead).extracting(r -> header(r, "nip.error.message")).anySatisfy(m -> assertThat(m)
        .contains("line 5 is not valid UTF-8")).anySatisfy(m -> assertThat(m).contains("line 6 is 3,").contains("bytes"));
    List<String> fileLines = Files.readAllLines(dlqFile);
    assertThat(fileLines).hasSize(2);
    assertThat(String.join("\n", fileLines)).contains("\"line\":5", "\"line\":6", "\"source\":\"" + in);
    assertThat(err.toString()).contains("lines read", "records written", "lines refused");
  }

  @Test
  void when_a_loaded_topic_is_run_bounded_then_its_windows_equal_the_demos_under_both_guarantees(@TempDir Path dir)
      throws Exception {
    // Given generated events in a file, run through the demo (its own embedded broker) into a file
    Path in = dir.resolve("events.jsonl");
    List<byte[]> lines = new ArrayList<>();
    UserEventFeed.generate(UserEventFeed.Spec.defaults(8_000).withUsers(300), (k, v) -> lines.add(v));
    Files.write(in, lines.stream().map(l -> new String(l, StandardCharsets.UTF_8)).collect(Collectors.toList()));
    Path demoOut = dir.resolve("demo.jsonl");
    assertThat(run("demo", "analytics", "--input", in.toString(), "--output", demoOut.toString()))
        .as("demo; standard error:%n%s", err).isZero();
    Set<UserWindowSummary> demo = new HashSet<>();
    Files.readAllLines(demoOut).forEach(l -> demo.add(UserWindowSummary.SERDE.deserialize(l.getBytes(StandardCharsets.UTF_8))));
    assertThat(AnalyticsReference.compare(AnalyticsReference.expected(in), demo).exact()).isTrue();

    // When the file is loaded with nip load and run with nip run, bounded, once per guarantee
    assertThat(run("load", "--topic", "run-in", "--input", in.toString(), "--bootstrap-servers",
        kafka.bootstrapServers())).as("load; standard error:%n%s", err).isZero();
    for (String g : List.of("at-least-once", "exactly-once")) {
      int code = run("run", "analytics", "--bootstrap-servers", kafka.bootstrapServers(), "--bounded",
          "--guarantee", g, "--group", "run-" + g, "--input-topic", "run-in", "--output-topic", "run-out-" + g,
          "--dlq-topic", "run-dlq-" + g, "--threads", "2", "--state-dir", dir.resolve("state-" + g).toString());

      // Then the output topic, read read_committed, holds exactly the demo's windows
      assertThat(code).as("run %s; standard error:%n%s", g, err).isZero();
      assertThat(windows("run-out-" + g)).as("windows of the %s run", g).hasSameSizeAs(demo).isEqualTo(demo);
      assertThat(read("run-out-" + g)).hasSize(demo.size());
    }
    assertThat(err.toString()).contains(RunAnalyticsCommand.STARTED).contains("windows out");
  }

  @Test
  void when_the_demo_runs_exactly_once_then_its_files_are_read_back_from_the_committed_topics(@TempDir Path dir)
      throws Exception {
    // Given a file with a bad line among good ones
    Path in = dir.resolve("in.jsonl");
    Files.write(in, List.of(
        "{\"event_id\":\"1\",\"user_id\":\"user_1\",\"event_type\":\"purchase\",\"timestamp\":\"2026-01-17T17:00:00Z\",\"properties\":{\"value\":12.5}}",
        "not json at all",
        "{\"event_id\":\"2\",\"user_id\":\"user_1\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:01:00Z\"}"));
    Path out = dir.resolve("out.jsonl");
    Path dlq = dir.resolve("dlq.jsonl");

    // When the demo runs under exactly-once with result and dead-letter files
    int code = run("demo", "analytics", "--input", in.toString(), "--output", out.toString(), "--dlq-output",
        dlq.toString(), "--guarantee", "exactly-once");

    // Then the files hold what the job committed, the dead letter with its line number
    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    assertThat(Files.readAllLines(out)).extracting(l -> UserWindowSummary.SERDE.deserialize(
        l.getBytes(StandardCharsets.UTF_8))).containsExactly(new UserWindowSummary("user_1",
            Instant.parse("2026-01-17T17:00:00Z"), Instant.parse("2026-01-17T17:05:00Z"), 2, 2, 12.5));
    assertThat(Files.readAllLines(dlq)).singleElement().asString().contains("\"line\":2", "not json at all", "not JSON");
    assertThat(err.toString()).contains("exactly-once").contains("\"user_id\":\"user_1\"");
  }

  @Test
  void when_options_are_bad_then_the_exit_code_is_2_with_one_line_naming_the_option(@TempDir Path dir)
      throws Exception {
    String servers = kafka.bootstrapServers();
    assertThat(run("run", "analytics", "--bootstrap-servers", servers, "--guarantee", "twice")).isEqualTo(2);
    assertThat(err.toString()).contains("--guarantee twice: unknown guarantee; use at-least-once or exactly-once");

    assertThat(run("demo", "analytics", "--guarantee", "maybe")).isEqualTo(2);
    assertThat(err.toString()).contains("--guarantee maybe: unknown guarantee");

    assertThat(run("run", "analytics", "--bounded")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--bootstrap-servers=HOST:PORT'");

    assertThat(run("run", "analytics", "--bootstrap-servers", servers, "--input-topic", "nowhere")).isEqualTo(2);
    assertThat(err.toString()).contains("--input-topic nowhere: no such topic on " + servers, "nip load --topic nowhere");

    assertThat(run("run", "analytics", "--bootstrap-servers", servers, "--commit-interval", "0s")).isEqualTo(2);
    assertThat(err.toString()).contains("--commit-interval must be positive");

    assertThat(run("run")).isEqualTo(2);
    assertThat(err.toString()).contains("missing exercise");

    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{}\n");
    assertThat(run("demo", "analytics", "--input", in.toString(), "--guarantee", "exactly-once", "--late-output",
        dir.resolve("late.jsonl").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--late-output is not available with --guarantee exactly-once");

    assertThat(run("load", "--input", dir.resolve("missing.jsonl").toString(), "--bootstrap-servers", servers))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--input").contains("no such readable file");
    assertThat(run("load", "--topic", "x")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--input=FILE.jsonl'");
  }
}
