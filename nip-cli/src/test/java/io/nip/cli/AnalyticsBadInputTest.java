package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.examples.analytics.UserWindowSummary;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nip demo analytics --input}: a bad line (not UTF-8, too large for Kafka, not JSON) is a
 * dead letter with its line number and reason, and never costs a good line; outputs that would
 * destroy the input or cannot be written are refused before any work; the exit code says when
 * lines were bad only when asked to ({@code --max-bad-lines}) or when no line was good. Every run
 * goes through the command line; the good lines' windows are compared with a reference computed
 * here from the same lines.
 */
class AnalyticsBadInputTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  private static final List<String> TYPES = List.of("page_view", "click", "search", "purchase");

  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
        .execute(args);
  }

  private long number(String label) {
    Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +([0-9,]+)$").matcher(err.toString());
    assertThat(m.find()).as("summary row '%s' in:%n%s", label, err).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  /** {@code n} good events of 7 users (one a bot) over 40 minutes, in event-time order. */
  private static List<byte[]> goodLines(int n) {
    List<byte[]> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String user = i % 7 == 6 ? "bot_1" : "user_" + (i % 7);
      String json = String.format("{\"event_id\":\"e%d\",\"user_id\":\"%s\",\"event_type\":\"%s\",\"timestamp\":\"%s\","
          + "\"properties\":{\"value\":%d.%02d}}", i, user, TYPES.get((i / 7) % TYPES.size()),
          T0.plusMillis(40L * 60_000 * i / n), i % 50, i % 100);
      lines.add(json.getBytes(StandardCharsets.UTF_8));
    }
    return lines;
  }

  /** Exercise 1 by brute force: per user and 5-minute window, count, distinct types and exact sum. */
  private static Set<UserWindowSummary> reference(List<byte[]> good) throws Exception {
    Map<String, List<JsonNode>> byWindow = new TreeMap<>();
    for (byte[] line : good) {
      JsonNode n = Serdes.objectMapper().readTree(line);
      if (n.get("user_id").asText().startsWith("bot_")) {
        continue;
      }
      long start = Instant.parse(n.get("timestamp").asText()).toEpochMilli() / 300_000 * 300_000;
      byWindow.computeIfAbsent(n.get("user_id").asText() + "|" + start, k -> new ArrayList<>()).add(n);
    }
    Set<UserWindowSummary> out = new HashSet<>();
    byWindow.forEach((k, events) -> {
      Instant start = Instant.ofEpochMilli(Long.parseLong(k.substring(k.indexOf('|') + 1)));
      Set<String> types = new HashSet<>();
      BigDecimal sum = BigDecimal.ZERO;
      for (JsonNode e : events) {
        types.add(e.get("event_type").asText());
        JsonNode value = e.path("properties").path("value");
        sum = sum.add(value.isNumber() ? new BigDecimal(value.asText()) : BigDecimal.ZERO);
      }
      out.add(new UserWindowSummary(k.substring(0, k.indexOf('|')), start, start.plus(Duration.ofMinutes(5)),
          events.size(), types.size(), sum.doubleValue()));
    });
    return out;
  }

  private static List<UserWindowSummary> results(Path file) throws Exception {
    List<UserWindowSummary> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(UserWindowSummary.SERDE.deserialize(l.getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static List<JsonNode> deadLetters(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(Serdes.objectMapper().readTree(l));
    }
    return out;
  }

  /** Writes {@code lines} with {@code bad} inserted so that it becomes line {@code badLineNumber}. */
  private Path input(List<byte[]> lines, int badLineNumber, byte[] bad) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < lines.size(); i++) {
      if (i == badLineNumber - 1) {
        b.write(bad);
        b.write('\n');
      }
      b.write(lines.get(i));
      b.write('\n');
    }
    Path in = dir.resolve("in.jsonl");
    Files.write(in, b.toByteArray());
    return in;
  }

  @Test
  void when_a_line_is_not_utf8_then_it_is_a_dead_letter_with_its_line_and_byte_and_every_good_line_counts()
      throws Exception {
    // Given: 200 good lines and, as line 57, one with a 0xFF byte at offset 40
    List<byte[]> good = goodLines(200);
    byte[] bad = "{\"event_id\":\"x\",\"user_id\":\"user_1\",\"ev\u00e9nt_type\":\"click\"}".getBytes(StandardCharsets.UTF_8);
    bad[40] = (byte) 0xff;
    Path in = input(good, 57, bad);
    Path out = dir.resolve("out.jsonl");
    Path dlq = dir.resolve("dlq.jsonl");

    // When
    int code = run("demo", "analytics", "--input", in.toString(), "--output", out.toString(),
        "--dlq-output", dlq.toString());

    // Then: the run succeeds, the bad line is a dead letter naming its line and byte, and the
    // windows are exactly those of the good lines
    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    assertThat(number("lines read")).isEqualTo(201);
    assertThat(number("bad lines")).isEqualTo(1);
    assertThat(results(out)).containsExactlyInAnyOrderElementsOf(reference(good));
    List<JsonNode> dead = deadLetters(dlq);
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).get("line").asLong()).isEqualTo(57);
    assertThat(dead.get(0).get("error_message").asText())
        .contains("line 57 is not valid UTF-8: byte 0xff at offset 40 of the line");
    assertThat(err.toString()).contains("1 refused while loading");
  }

  @Test
  void when_a_line_is_5_mb_then_it_is_a_dead_letter_with_both_sizes_and_every_good_line_counts() throws Exception {
    // Given: 200 good lines and, as line 101, a 5 MiB JSON line
    List<byte[]> good = goodLines(200);
    byte[] big = ("{\"event_id\":\"big\",\"user_id\":\"user_1\",\"event_type\":\"click\",\"timestamp\":\"" + T0
        + "\",\"pad\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    Path in = input(good, 101, big);
    Path out = dir.resolve("out.jsonl");
    Path dlq = dir.resolve("dlq.jsonl");

    // When
    int code = run("demo", "analytics", "--input", in.toString(), "--output", out.toString(),
        "--dlq-output", dlq.toString());

    // Then
    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    assertThat(number("bad lines")).isEqualTo(1);
    assertThat(number("events in")).isEqualTo(200);
    assertThat(results(out)).containsExactlyInAnyOrderElementsOf(reference(good));
    JsonNode dead = deadLetters(dlq).get(0);
    assertThat(dead.get("line").asLong()).isEqualTo(101);
    assertThat(dead.get("error_message").asText()).contains(String.format("line 101 is %,d bytes", big.length))
        .contains("at most 1,048,576 bytes");
    assertThat(dead.get("raw_record").asText()).hasSize(InputLoader.PREVIEW_BYTES).startsWith("{\"event_id\":\"big\"");
  }

  @Test
  void when_a_line_is_not_json_or_misses_a_field_then_its_dead_letter_carries_its_line_in_file_and_topic()
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // Given: a cluster whose input topic takes records of at most 20,000 bytes, and lines 3
      // (not JSON), 150 (no user_id) and 160 (30,000 bytes) among good ones
      kafka.createTopic("user-events", 3, Map.of("max.message.bytes", "20000"));
      List<byte[]> good = goodLines(200);
      List<byte[]> lines = new ArrayList<>(good);
      lines.add(2, "{not json".getBytes(StandardCharsets.UTF_8));
      lines.add(149, "{\"event_id\":\"n\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:00Z\"}"
          .getBytes(StandardCharsets.UTF_8));
      lines.add(159, ("{\"pad\":\"" + "y".repeat(30_000) + "\"}").getBytes(StandardCharsets.UTF_8));
      Path in = dir.resolve("in.jsonl");
      Files.write(in, String.join("\n", lines.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList())
          .getBytes(StandardCharsets.UTF_8));
      Path out = dir.resolve("out.jsonl");
      Path dlq = dir.resolve("dlq.jsonl");

      // When
      int code = run("demo", "analytics", "--bootstrap-servers", kafka.bootstrapServers(), "--input", in.toString(),
          "--output", out.toString(), "--dlq-output", dlq.toString());

      // Then: every dead letter names its line, in the file and in the topic
      assertThat(code).as("exit code; standard error:%n%s", err).isZero();
      assertThat(number("bad lines")).isEqualTo(3);
      assertThat(results(out)).containsExactlyInAnyOrderElementsOf(reference(good));
      Map<Long, String> byLine = new TreeMap<>();
      deadLetters(dlq).forEach(d -> byLine.put(d.get("line").asLong(), d.get("error_message").asText()));
      assertThat(byLine).containsOnlyKeys(3L, 150L, 160L);
      assertThat(byLine.get(3L)).startsWith("not JSON");
      assertThat(byLine.get(150L)).contains("field 'user_id' is missing");
      assertThat(byLine.get(160L)).contains("line 160 is 30,010 bytes").contains("at most 20,000 bytes");
      assertThat(dlqTopicLines(kafka)).containsExactlyInAnyOrder(3L, 150L, 160L);
    }
  }

  private static List<Long> dlqTopicLines(EmbeddedKafka kafka) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties("dlq-reader"));
    props.put("key.deserializer", ByteArrayDeserializer.class);
    props.put("value.deserializer", ByteArrayDeserializer.class);
    props.put("auto.offset.reset", "earliest");
    List<Long> lines = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      c.subscribe(List.of("user-events-dlq"));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (lines.size() < 3 && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          Header h = r.headers().lastHeader(UserEventFeed.LINE_HEADER);
          lines.add(h == null ? -1 : Long.parseLong(new String(h.value(), StandardCharsets.UTF_8)));
        }
      }
    }
    return lines;
  }

  @Test
  void when_an_event_is_late_then_late_output_holds_it_with_its_line() throws Exception {
    // Given: 1,500 events of one user (one partition, more than a read's batch), then one 20 minutes behind
    List<byte[]> good = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      good.add(String.format("{\"event_id\":\"e%d\",\"user_id\":\"user_9\",\"event_type\":\"click\",\"timestamp\":\"%s\"}",
          i, T0.plusSeconds(i)).getBytes(StandardCharsets.UTF_8));
    }
    byte[] late = ("{\"event_id\":\"late\",\"user_id\":\"user_9\",\"event_type\":\"click\",\"timestamp\":\""
        + T0.minus(Duration.ofMinutes(20)) + "\"}").getBytes(StandardCharsets.UTF_8);
    List<byte[]> all = new ArrayList<>(good);
    all.add(late);
    Path in = input(all, Integer.MAX_VALUE, null);
    Path out = dir.resolve("out.jsonl");
    Path lateFile = dir.resolve("late.jsonl");

    // When
    int code = run("demo", "analytics", "--input", in.toString(), "--output", out.toString(),
        "--late-output", lateFile.toString());

    // Then
    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    assertThat(number("late events")).isEqualTo(1);
    assertThat(results(out)).containsExactlyInAnyOrderElementsOf(reference(good));
    JsonNode l = Serdes.objectMapper().readTree(Files.readAllLines(lateFile).get(0));
    assertThat(l.get("line").asLong()).isEqualTo(1501);
    assertThat(l.get("event_id").asText()).isEqualTo("late");
    assertThat(err.toString()).contains("late events ->   file " + lateFile);
  }

  @Test
  void when_an_output_is_the_input_then_it_is_refused_and_the_input_is_unchanged() throws Exception {
    // Given: an input file and a symbolic link to it
    Path in = input(goodLines(20), Integer.MAX_VALUE, null);
    byte[] before = Files.readAllBytes(in);
    Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), in);

    // When / Then: each output option naming it, directly, through the link or through "..", is refused
    assertThat(run("demo", "analytics", "--input", in.toString(), "--output", in.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--output " + in + " is the --input file");
    assertThat(run("demo", "analytics", "--input", in.toString(), "--dlq-output", link.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--dlq-output " + link + " is the --input file");
    Path dotted = dir.resolve("sub").resolve("..").resolve("in.jsonl");
    Files.createDirectory(dir.resolve("sub"));
    assertThat(run("demo", "analytics", "--input", link.toString(), "--late-output", dotted.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--late-output " + dotted + " is the --input file");
    assertThat(run("demo", "analytics", "--input", in.toString(), "--output", dir.resolve("a.jsonl").toString(),
        "--late-output", dir.resolve("a.jsonl").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--output and --late-output name the same file");
    assertThat(Files.readAllBytes(in)).isEqualTo(before);
    assertThat(dir.resolve("a.jsonl")).doesNotExist();
  }

  @Test
  void when_an_output_directory_is_missing_then_it_is_refused_before_the_broker_starts() throws Exception {
    // Given: a results file in a directory that does not exist, and a state directory the run
    // would create when it got as far as opening the state (just before the broker starts)
    Path in = input(goodLines(20), Integer.MAX_VALUE, null);
    Path missing = dir.resolve("no-such-dir").resolve("out.jsonl");
    Path stateDir = dir.resolve("state");

    // When
    long t0 = System.nanoTime();
    int code = run("demo", "analytics", "--input", in.toString(), "--output", missing.toString(),
        "--state-dir", stateDir.toString());

    // Then: a usage error naming the option, the file and the reason; nothing was started
    assertThat(code).isEqualTo(NipCommand.EXIT_USAGE);
    assertThat(err.toString()).contains("--output " + missing + ": cannot write: directory "
        + missing.getParent() + " does not exist");
    assertThat(stateDir).doesNotExist();
    assertThat(missing.getParent()).doesNotExist();
    assertThat(err.toString()).doesNotContain("events in");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void when_every_line_is_bad_then_the_exit_code_is_3_and_the_dead_letters_hold_them_all() throws Exception {
    // Given: three lines, none an event
    Path in = dir.resolve("in.jsonl");
    Files.write(in, new byte[] {'{', 'x', '\n', (byte) 0xc3, (byte) 0x28, '\n', '[', '1', ']', '\n'});
    Path out = dir.resolve("out.jsonl");
    Path dlq = dir.resolve("dlq.jsonl");

    // When
    int code = run("demo", "analytics", "--input", in.toString(), "--output", out.toString(),
        "--dlq-output", dlq.toString());

    // Then
    assertThat(code).as("exit code; standard error:%n%s", err).isEqualTo(AnalyticsCommand.EXIT_BAD_INPUT).isEqualTo(3);
    assertThat(err.toString()).contains("every input line was bad (3 of 3)");
    assertThat(number("bad lines")).isEqualTo(3);
    assertThat(deadLetters(dlq)).extracting(d -> d.get("line").asLong()).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(Files.readAllLines(out)).isEmpty();
    assertThat(err.toString()).containsPattern("(?m)^  latency p50 +n/a$").containsPattern("(?m)^  latency p99 +n/a$");
  }

  @Test
  void when_max_bad_lines_is_0_and_a_line_is_bad_then_the_exit_code_is_3_and_the_results_are_written()
      throws Exception {
    // Given
    List<byte[]> good = goodLines(100);
    Path in = input(good, 42, "{\"user_id\":\"user_1\"}".getBytes(StandardCharsets.UTF_8));
    Path out = dir.resolve("out.jsonl");

    // When
    int code = run("demo", "analytics", "--input", in.toString(), "--output", out.toString(),
        "--max-bad-lines", "0");

    // Then
    assertThat(code).as("exit code; standard error:%n%s", err).isEqualTo(AnalyticsCommand.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("1 bad input line, more than --max-bad-lines 0 allows");
    assertThat(results(out)).containsExactlyInAnyOrderElementsOf(reference(good));
    assertThat(err.toString()).contains("results ->       topic analytics-output, file " + out)
        .contains("first 3 of " + number("windows out") + " results");
  }
}
