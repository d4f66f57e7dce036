package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.analytics.UserWindowSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyticsCommandTest {
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

  private static List<UserWindowSummary> read(Path file) throws Exception {
    return Files.readAllLines(file).stream()
        .map(l -> UserWindowSummary.SERDE.deserialize(l.getBytes(StandardCharsets.UTF_8)))
        .collect(Collectors.toList());
  }

  @Test
  void when_events_are_generated_then_windows_are_written_and_the_summary_adds_up(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("windows.jsonl");

    int code = run("demo", "analytics", "--events", "20000", "--seed", "7", "--output", out.toString());

    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    assertThat(number("events in")).isEqualTo(20_000);
    assertThat(number("bad lines")).isZero();
    assertThat(number("late events")).isZero();
    assertThat(number("bots filtered")).isBetween(700L, 1_300L); // 5% of 20,000
    List<UserWindowSummary> windows = read(out);
    assertThat(windows).hasSize((int) number("windows out")).noneMatch(s -> s.userId().startsWith("bot_"));
    assertThat(windows.stream().mapToLong(UserWindowSummary::eventCount).sum())
        .isEqualTo(20_000 - number("bots filtered"));
    assertThat(windows).allMatch(s -> Duration.between(s.windowStart(), s.windowEnd()).equals(Duration.ofMinutes(5)));
    assertThat(err.toString()).contains("events/s", "latency p50", "latency p99");
  }

  @Test
  void when_an_input_file_has_bad_lines_then_they_go_to_the_dead_letter_file_and_windows_count_the_rest(
      @TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, List.of(
        "{\"event_id\":\"1\",\"user_id\":\"user_1\",\"event_type\":\"purchase\",\"timestamp\":\"2026-01-17T17:00:00Z\",\"properties\":{\"value\":1250}}",
        "{\"event_id\":\"2\",\"user_id\":\"bot_1\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:01Z\"}",
        "not json at all",
        "{\"event_id\":\"3\",\"user_id\":\"user_2\",\"event_type\":\"signup\",\"timestamp\":\"2026-01-17T17:00:02\"}",
        "{\"event_id\":\"4\",\"user_id\":\"user_1\",\"event_type\":\"search\",\"timestamp\":1768669320000}",
        "{\"event_id\":\"5\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:04Z\"}"));
    Path out = dir.resolve("out.jsonl");
    Path dlq = dir.resolve("dlq.jsonl");

    int code = run("demo", "analytics", "--input", in.toString(), "--output", out.toString(),
        "--dlq-output", dlq.toString(), "--max-out-of-orderness", "PT10S");

    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    assertThat(number("events in")).isEqualTo(6);
    assertThat(number("bad lines")).isEqualTo(3);
    assertThat(number("bots filtered")).isEqualTo(1);
    assertThat(number("windows out")).isEqualTo(1);
    assertThat(read(out)).containsExactly(new UserWindowSummary("user_1", Instant.parse("2026-01-17T17:00:00Z"),
        Instant.parse("2026-01-17T17:05:00Z"), 2, 2, 1250.0));
    List<String> dead = Files.readAllLines(dlq);
    assertThat(dead).hasSize(3);
    assertThat(String.join("\n", dead)).contains("\"raw_record\":\"not json at all\"", "not JSON",
        "field 'timestamp' is not an ISO-8601 date-time with Z or an offset", "field 'user_id' is missing");
  }

  @Test
  void when_arguments_are_bad_then_the_exit_code_is_2_and_the_message_names_the_option(@TempDir Path dir) {
    assertThat(run("demo", "analytics", "--input", dir.resolve("missing.jsonl").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--input").contains("no such readable file");

    assertThat(run("demo", "analytics", "--events", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--events must be at least 1");

    assertThat(run("demo", "analytics", "--max-out-of-orderness", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("--max-out-of-orderness soon: not a duration");

    assertThat(run("demo", "analytics", "--events", "many")).isEqualTo(2);
    assertThat(run("demo", "analytics", "--output", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--output").contains("is a directory");
    assertThat(run("demo")).isEqualTo(2);
  }

  @Test
  void when_durations_are_given_in_short_or_iso_form_then_both_parse() {
    assertThat(AnalyticsCommand.duration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(AnalyticsCommand.duration("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(AnalyticsCommand.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(AnalyticsCommand.duration("2m")).isEqualTo(Duration.ofMinutes(2));
  }
}
