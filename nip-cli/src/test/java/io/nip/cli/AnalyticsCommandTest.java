package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.UserEvent;
import io.nip.serde.Serdes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private static List<UserEvent> read(Path file) throws Exception {
    return Files.readAllLines(file).stream()
        .map(l -> Serdes.json(UserEvent.class).deserialize(l.getBytes(StandardCharsets.UTF_8)))
        .collect(Collectors.toList());
  }

  @Test
  void generated_events_are_counted_filtered_routed_and_written(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("kept.jsonl");

    int code = run("demo", "analytics", "--events", "20000", "--seed", "7", "--output", out.toString());

    assertThat(code).isZero();
    assertThat(number("events in")).isEqualTo(20_000);
    assertThat(number("bad lines")).isZero();
    long bots = number("bots filtered");
    assertThat(bots).isBetween(700L, 1_300L); // 5% of 20,000
    long kept = number("events out");
    assertThat(bots + kept).isEqualTo(20_000);
    assertThat(number("route purchase") + number("route signup") + number("route default")).isEqualTo(kept);
    assertThat(err.toString()).contains("events/s");

    List<UserEvent> written = read(out);
    assertThat(written).hasSize((int) kept).noneMatch(e -> e.userId().startsWith("bot_"));
    assertThat(written.stream().filter(e -> e.eventType().equals("purchase")).count())
        .isEqualTo(number("route purchase"));
    assertThat(written.stream().map(UserEvent::userId).distinct().count()).isLessThanOrEqualTo(10_000);
  }

  @Test
  void an_input_file_with_bad_lines_sends_them_to_the_dead_letter_file(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, List.of(
        "{\"event_id\":\"1\",\"user_id\":\"user_1\",\"event_type\":\"purchase\",\"timestamp\":\"2026-01-17T17:00:00Z\"}",
        "{\"event_id\":\"2\",\"user_id\":\"bot_1\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:01Z\"}",
        "not json at all",
        "{\"event_id\":\"3\",\"user_id\":\"user_2\",\"event_type\":\"signup\",\"timestamp\":\"2026-01-17T17:00:02\"}",
        "{\"event_id\":\"4\",\"user_id\":\"user_3\",\"event_type\":\"search\",\"timestamp\":\"2026-01-17T17:00:03Z\"}",
        "{\"event_id\":\"5\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:04Z\"}"));
    Path out = dir.resolve("out.jsonl");
    Path dlq = dir.resolve("dlq.jsonl");

    int code = run("demo", "analytics", "--input", in.toString(), "--output", out.toString(),
        "--dlq-output", dlq.toString());

    assertThat(code).isZero();
    assertThat(number("events in")).isEqualTo(6);
    assertThat(number("bad lines")).isEqualTo(2);
    assertThat(number("bots filtered")).isEqualTo(1);
    assertThat(number("events out")).isEqualTo(3);
    assertThat(number("route purchase")).isEqualTo(1);
    assertThat(number("route signup")).isEqualTo(1);
    assertThat(number("route default")).isEqualTo(1);
    assertThat(read(out)).extracting(UserEvent::eventId).containsExactly("1", "3", "4");
    List<String> dead = Files.readAllLines(dlq);
    assertThat(dead).hasSize(2);
    assertThat(dead.get(0)).contains("\"line\":3", "\"raw_record\":\"not json at all\"");
    assertThat(dead.get(1)).contains("\"line\":6", "user_id");
  }

  @Test
  void without_a_dead_letter_file_bad_lines_are_counted_and_skipped(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, List.of("{oops", "{\"user_id\":\"u\",\"event_type\":\"purchase\",\"timestamp\":0}"));

    assertThat(run("demo", "analytics", "--input", in.toString())).isZero();
    assertThat(number("bad lines")).isEqualTo(1);
    assertThat(number("route purchase")).isEqualTo(1);
  }

  @Test
  void bad_arguments_exit_non_zero_with_a_message_naming_the_option(@TempDir Path dir) {
    assertThat(run("demo", "analytics", "--input", dir.resolve("missing.jsonl").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--input").contains("no such readable file");

    assertThat(run("demo", "analytics", "--events", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--events must be at least 1");

    assertThat(run("demo", "analytics", "--events", "many")).isEqualTo(2);
    assertThat(run("demo", "analytics", "--output", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--output").contains("is a directory");
    assertThat(run("demo")).isEqualTo(2);
  }
}
