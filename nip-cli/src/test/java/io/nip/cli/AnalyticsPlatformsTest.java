package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nip.examples.analytics.AnalyticsReference;
import io.nip.examples.analytics.UserWindowSummary;
import io.nip.serde.Serdes;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exercise 1 on Kafka, Kinesis and Pub/Sub ({@code nip demo analytics --platform ...}, each run
 * starting its own embedded broker, kinesis-local or Pub/Sub emulator) over one input file with
 * out-of-order events, late events, bots and bad lines: the three result files are identical and
 * equal to the reference model, and the three runs find the same late events and the same bad lines.
 */
class AnalyticsPlatformsTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  /**
   * Events, about 1,500 per Kafka partition or Kinesis shard: more than one batch of the job (1,000
   * records), so that the late events at the end of the file are read after the watermark moved
   * (it moves after each batch), on every platform.
   */
  private static final int EVENTS = 4_500;
  private static final int USERS = 100;
  private static final int LATE_USERS = 10;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
        .execute(args);
  }

  private long number(String label, String text) {
    Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +([0-9,]+)$").matcher(text);
    assertThat(m.find()).as("summary row '%s' in:%n%s", label, text).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  private static byte[] event(String id, String user, String type, Instant t, double value) {
    return String.format("{\"event_id\":\"%s\",\"user_id\":\"%s\",\"event_type\":\"%s\",\"timestamp\":\"%s\","
        + "\"properties\":{\"value\":%s}}", id, user, type, t, value).getBytes(StandardCharsets.UTF_8);
  }

  /** The input: on-time events (5% up to 3 minutes out of order, 5% bots), then late events, bad lines among them. */
  private static final class Input {
    final List<byte[]> lines = new ArrayList<>();
    final List<byte[]> onTime = new ArrayList<>();
    final Set<String> lateIds = new TreeSet<>();
    final Set<String> badRaw = new TreeSet<>();

    Input() {
      SplittableRandom rnd = new SplittableRandom(11);
      List<String> types = List.of("click", "page_view", "search", "purchase", "signup");
      Map<String, Instant> lastOf = new HashMap<>();
      for (int i = 0; i < EVENTS; i++) {
        boolean bot = rnd.nextInt(20) == 0;
        String user = bot ? "bot_" + rnd.nextInt(5) : "user_" + rnd.nextInt(USERS);
        Instant t = T0.plusMillis(i * 800L);
        if (rnd.nextInt(20) == 0) {
          t = t.minusSeconds(rnd.nextInt(180)); // out of order, within the 30-minute bound
        }
        byte[] e = event("e" + i, user, types.get(rnd.nextInt(types.size())), t, rnd.nextInt(10_000) / 100.0);
        lines.add(e);
        onTime.add(e);
        lastOf.merge(user, t, (a, b) -> a.isAfter(b) ? a : b);
        if (i % 500 == 250) {
          bad("not json at all " + i);
          bad("{\"event_id\":\"x" + i + "\",\"user_id\":\"user_1\",\"event_type\":\"click\"}"); // no timestamp
          byte[] notUtf8 = event("u" + i, "user_2", "click", t, 1);
          notUtf8[20] = (byte) 0xff;
          lines.add(notUtf8);
        }
      }
      // late: 2 hours behind the last event of their own user, after it (each user stays in input order everywhere)
      for (int u = 0; u < LATE_USERS; u++) {
        String user = "user_" + u;
        String id = "late" + u;
        lines.add(event(id, user, "click", lastOf.get(user).minus(Duration.ofHours(2)), 5));
        lateIds.add(id);
      }
    }

    private void bad(String line) {
      lines.add(line.getBytes(StandardCharsets.UTF_8));
      badRaw.add(line);
    }

    Path write(Path file) throws Exception {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (byte[] l : lines) {
        b.write(l);
        b.write('\n');
      }
      Files.write(file, b.toByteArray());
      return file;
    }
  }

  /** What one platform's run wrote. */
  private record Outcome(List<String> results, Set<String> lateIds, Set<String> deadRaw, long badLines) {}

  private Outcome runOn(String platform, Path in, Path dir) throws Exception {
    Path out = dir.resolve(platform + "-windows.jsonl");
    Path dlq = dir.resolve(platform + "-dlq.jsonl");
    Path late = dir.resolve(platform + "-late.jsonl");
    err.getBuffer().setLength(0);
    int code = run("demo", "analytics", "--platform", platform, "--input", in.toString(), "--output", out.toString(),
        "--dlq-output", dlq.toString(), "--late-output", late.toString(), "--max-out-of-orderness", "30m",
        "--threads", "2");
    String summary = err.toString();
    assertThat(code).as("exit code on %s; standard error:%n%s", platform, summary).isZero();
    List<String> results = new ArrayList<>(new TreeSet<>(Files.readAllLines(out)));
    assertThat(results).as("no window written twice on %s", platform).hasSize(Files.readAllLines(out).size());
    Set<String> lateIds = new TreeSet<>();
    for (String l : Files.readAllLines(late)) {
      lateIds.add(Serdes.objectMapper().readTree(l).get("event_id").asText());
    }
    Set<String> deadRaw = new TreeSet<>();
    for (String l : Files.readAllLines(dlq)) {
      JsonNode d = Serdes.objectMapper().readTree(l);
      deadRaw.add(d.get("raw_record").asText());
    }
    return new Outcome(results, lateIds, deadRaw, number("bad lines", summary));
  }

  @Test
  void exercise_1_gives_the_same_output_on_kafka_kinesis_and_pubsub(@TempDir Path dir) throws Exception {
    // Given: one input file with out-of-order, late, bot and bad lines
    Input input = new Input();
    Path in = input.write(dir.resolve("events.jsonl"));

    // When: the demo runs on each platform
    Outcome kafka = runOn("kafka", in, dir);
    Outcome kinesis = runOn("kinesis", in, dir);
    Outcome pubsub = runOn("pubsub", in, dir);

    // Then: the results are identical, and equal to the reference over the on-time events
    assertThat(kinesis.results()).isEqualTo(kafka.results());
    assertThat(pubsub.results()).isEqualTo(kafka.results());
    List<UserWindowSummary> got = new ArrayList<>();
    kafka.results().forEach(l -> got.add(UserWindowSummary.SERDE.deserialize(l.getBytes(StandardCharsets.UTF_8))));
    AnalyticsReference.Comparison c = AnalyticsReference.compare(AnalyticsReference.expected(input.onTime), got);
    assertThat(c.exact()).as("against the reference: %s", c).isTrue();
    // ... and each run found the same late events and the same bad lines
    for (Outcome o : List.of(kafka, kinesis, pubsub)) {
      assertThat(o.lateIds()).isEqualTo(input.lateIds);
      assertThat(o.badLines()).isEqualTo(input.badRaw.size() + EVENTS / 500);
      assertThat(o.deadRaw()).containsAll(input.badRaw).hasSize(input.badRaw.size() + EVENTS / 500);
    }
    assertThat(new HashSet<>(kinesis.deadRaw())).isEqualTo(new HashSet<>(kafka.deadRaw()));
    assertThat(new HashSet<>(pubsub.deadRaw())).isEqualTo(new HashSet<>(kafka.deadRaw()));
  }

  @Test
  void a_platform_with_a_kafka_option_or_an_unknown_platform_is_refused_before_anything_starts(@TempDir Path dir)
      throws Exception {
    Path in = Files.writeString(dir.resolve("in.jsonl"), "{}\n");
    assertThat(run("demo", "analytics", "--platform", "kinesis", "--input", in.toString(), "--bootstrap-servers",
        "localhost:9092")).isEqualTo(2);
    assertThat(err.toString()).contains("--bootstrap-servers names a Kafka cluster: not with --platform kinesis");
    assertThat(run("demo", "analytics", "--platform", "pubsub", "--input", in.toString(), "--guarantee",
        "exactly-once")).isEqualTo(2);
    assertThat(err.toString()).contains("--guarantee exactly-once needs Kafka transactions: --platform pubsub");
    assertThat(run("demo", "analytics", "--platform", "kafak", "--input", in.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--platform kafak: not a platform; use kafka, kinesis or pubsub");
  }

  @Test
  void without_kinesis_local_the_error_names_the_command_that_installs_it(@TempDir Path dir) {
    Path services = dir.resolve(".services");
    assertThatThrownBy(() -> KinesisDemoPlatform.start(services)).isInstanceOf(NipCommand.UsageException.class)
        .hasMessageContaining("--platform kinesis needs the npm package kinesis-local")
        .hasMessageContaining("npm install --prefix " + services + " kinesis-local@0.6");
  }
}
