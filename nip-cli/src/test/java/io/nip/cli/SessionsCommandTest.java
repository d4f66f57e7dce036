package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.analytics.UserEventFeed;
import io.nip.examples.sessions.SessionSummary;
import io.nip.examples.sessions.SessionsPipeline;
import io.nip.examples.sessions.SessionsReference;
import io.nip.kafka.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nip demo sessions} (embedded broker) over a file with bad lines, and {@code nip run sessions} over a loaded topic. */
class SessionsCommandTest {
  private final CliRun cli = new CliRun();

  /** u1: login, then exactly 30 min later, then 30 min + 1 ms later (a new session); a bot; two bad lines. */
  private static final List<String> LINES = List.of(
      line("u1", "login", "2026-01-17T17:00:00Z"),
      "not json",
      line("u1", "page_view", "2026-01-17T17:30:00Z"),
      line("bot_7", "click", "2026-01-17T17:05:00Z"),
      line("u1", "purchase", "2026-01-17T18:00:00.001Z"),
      "{\"user_id\":\"u2\",\"event_type\":\"click\"}",
      line("u2", "search", "2026-01-17T17:10:00Z"));

  private static String line(String user, String type, String time) {
    return "{\"user_id\":\"" + user + "\",\"event_type\":\"" + type + "\",\"timestamp\":\"" + time + "\",\"properties\":{}}";
  }

  private int run(String... args) {
    return cli.run(args);
  }

  private long number(String label) {
    return cli.number(label);
  }

  private static List<SessionSummary> read(Path file) throws Exception {
    List<SessionSummary> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(SessionSummary.SERDE.deserialize(l.getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void when_the_demo_reads_a_file_with_bad_lines_then_sessions_reach_the_file_and_bad_lines_the_dead_letters(
      @TempDir Path dir) throws Exception {
    Path in = Files.write(dir.resolve("in.jsonl"), LINES);
    Path out = dir.resolve("sessions.jsonl");
    Path dlq = dir.resolve("dlq.jsonl");

    int code = run("demo", "sessions", "--input", in.toString(), "--output", out.toString(), "--dlq-output",
        dlq.toString());

    assertThat(code).as("exit code; standard error:%n%s", cli.err()).isZero();
    List<byte[]> bytes = LINES.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
    List<SessionSummary> expected = SessionsReference.expected(bytes, SessionsPipeline.DEFAULT_MAX_EVENTS_PER_SESSION);
    assertThat(expected).hasSize(4);
    assertThat(SessionsReference.finalView(read(out))).containsExactlyElementsOf(expected);
    assertThat(Files.readAllLines(out)).allSatisfy(l -> assertThat(l).startsWith("{\"user_id\":\"")
        .contains("\"session_id\":\"", "\"duration_seconds\":", "\"journey\":[").doesNotContain("\"update\""));
    assertThat(Files.readAllLines(out)).anyMatch(l -> l.contains("\"user_id\":\"u1\"")
        && l.contains("\"session_start\":\"2026-01-17T17:00:00Z\",\"session_end\":\"2026-01-17T17:30:00Z\","
            + "\"duration_seconds\":1800.0,\"event_count\":2,\"first_event_type\":\"login\","
            + "\"last_event_type\":\"page_view\",\"journey\":[\"login\",\"page_view\"]"));
    assertThat(Files.readAllLines(dlq)).hasSize(2).allSatisfy(l -> assertThat(l).contains("\"line\":"));
    assertThat(number("events in")).isEqualTo(7);
    assertThat(number("bad lines")).isEqualTo(2);
    assertThat(number("sessions out")).isEqualTo(4);
    assertThat(number("late updates")).isZero();
    assertThat(cli.err()).contains("elapsed", "events/s");
  }

  @Test
  void when_every_line_is_bad_then_the_demo_exits_with_3_and_usage_errors_exit_with_2(@TempDir Path dir)
      throws Exception {
    Path in = Files.write(dir.resolve("bad.jsonl"), List.of("nope", "{\"user_id\":\"u\"}"));
    assertThat(run("demo", "sessions", "--input", in.toString(), "--events", "5")).isEqualTo(2);
    assertThat(cli.err()).contains("--events and --input exclude each other");
    assertThat(run("demo", "sessions", "--input", in.toString(), "--output", in.toString())).isEqualTo(2);

    int code = run("demo", "sessions", "--input", in.toString());

    assertThat(code).as("standard error:%n%s", cli.err()).isEqualTo(AnalyticsCommand.EXIT_BAD_INPUT);
    assertThat(cli.err()).contains("every input line was bad (2 of 2)");
  }

  @Test
  void when_run_sessions_reads_a_loaded_topic_bounded_then_it_reports_its_sessions() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopic(SessionsPipeline.INPUT_TOPIC, 3);
      try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), SessionsPipeline.INPUT_TOPIC)) {
        LINES.forEach(l -> feed.sendLine(l.getBytes(StandardCharsets.UTF_8)));
      }

      int code = run("run", "sessions", "--bootstrap-servers", kafka.bootstrapServers(), "--bounded");

      assertThat(code).as("exit code; standard error:%n%s", cli.err()).isZero();
      assertThat(cli.err()).contains(RunSessionsCommand.STARTED, "-> sessions-output");
      assertThat(number("events in")).isEqualTo(7);
      assertThat(number("bad lines")).isEqualTo(2);
      assertThat(number("sessions out")).isEqualTo(4);
    }
  }
}
