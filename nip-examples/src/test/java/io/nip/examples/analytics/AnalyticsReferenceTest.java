package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.Sinks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyticsReferenceTest {
  private static final Instant W0 = Instant.parse("2026-01-17T17:00:00Z");
  private static final Instant W1 = Instant.parse("2026-01-17T17:05:00Z");

  private static byte[] line(String user, String type, String time, String value) {
    return ("{\"user_id\":\"" + user + "\",\"event_type\":\"" + type + "\",\"timestamp\":\"" + time
        + "\",\"properties\":{\"value\":" + value + "}}").getBytes(StandardCharsets.UTF_8);
  }

  private static UserWindowSummary out(String user, Instant start, long count, long types, double total) {
    return new UserWindowSummary(user, start, start.plus(AnalyticsPipeline.WINDOW), count, types, total);
  }

  @Test
  void when_lines_are_grouped_then_bots_and_bad_lines_are_left_out_and_sums_are_exact() {
    List<byte[]> lines = List.of(
        line("user_1", "click", "2026-01-17T17:00:00Z", "0.1"),
        line("user_1", "click", "2026-01-17T17:04:59.999Z", "0.2"),
        line("user_1", "purchase", "2026-01-17T17:03:00Z", "0.3"),
        line("user_1", "click", "2026-01-17T17:05:00Z", "1"),
        line("bot_1", "click", "2026-01-17T17:00:00Z", "5"),
        "not json".getBytes(StandardCharsets.UTF_8),
        new byte[] {'{', (byte) 0xff, '}'},
        new byte[0]);

    Map<AnalyticsReference.WindowKey, AnalyticsReference.Numbers> expected = AnalyticsReference.expected(lines);

    assertThat(expected).containsOnly(
        Map.entry(new AnalyticsReference.WindowKey("user_1", W0), new AnalyticsReference.Numbers(3, 2, 0.6)),
        Map.entry(new AnalyticsReference.WindowKey("user_1", W1), new AnalyticsReference.Numbers(1, 1, 1.0)));
  }

  @Test
  void when_a_file_is_read_then_crlf_and_empty_lines_are_handled_as_the_loader_does(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("in.jsonl");
    Files.write(f, ("\r\n" + new String(line("user_2", "search", "2026-01-17T17:01:00Z", "2"), StandardCharsets.UTF_8)
        + "\r\n\n").getBytes(StandardCharsets.UTF_8));

    assertThat(AnalyticsReference.expected(f)).containsOnly(
        Map.entry(new AnalyticsReference.WindowKey("user_2", W0), new AnalyticsReference.Numbers(1, 1, 2.0)));
  }

  @Test
  void when_outputs_are_compared_then_lost_doubled_and_wrong_are_told_apart() {
    Map<AnalyticsReference.WindowKey, AnalyticsReference.Numbers> expected = Map.of(
        new AnalyticsReference.WindowKey("a", W0), new AnalyticsReference.Numbers(2, 1, 3.0),
        new AnalyticsReference.WindowKey("b", W0), new AnalyticsReference.Numbers(1, 1, 1.0),
        new AnalyticsReference.WindowKey("c", W1), new AnalyticsReference.Numbers(4, 2, 8.5));

    AnalyticsReference.Comparison c = AnalyticsReference.compare(expected, List.of(
        out("a", W0, 2, 1, 3.0), out("a", W0, 2, 1, 3.0), out("b", W0, 1, 1, 1.5), out("z", W1, 1, 1, 1.0)));

    assertThat(c.expectedWindows()).isEqualTo(3);
    assertThat(c.outputs()).isEqualTo(4);
    assertThat(c.lost()).containsExactly(new AnalyticsReference.WindowKey("b", W0),
        new AnalyticsReference.WindowKey("c", W1));
    assertThat(c.doubled()).containsExactly(out("a", W0, 2, 1, 3.0));
    assertThat(c.wrong()).extracting(m -> m.got().userId()).containsExactly("b", "z");
    assertThat(c.wrong().get(1).expected()).isNull();
    assertThat(c.exact()).isFalse();
    assertThat(AnalyticsReference.compare(expected, List.of(out("a", W0, 2, 1, 3.0), out("b", W0, 1, 1, 1.0),
        out("c", W1, 4, 2, 8.5))).exact()).isTrue();
  }

  @Test
  void when_exactly_once_is_asked_with_a_file_or_extra_sink_then_build_refuses_it_naming_the_setting(
      @TempDir Path dir) {
    AnalyticsPipeline.Builder eos = AnalyticsPipeline.builder("localhost:9092").groupId("g")
        .guarantee(Guarantee.EXACTLY_ONCE);
    assertThatThrownBy(() -> eos.outputFile(dir.resolve("w.jsonl")).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("outputFile")
        .hasMessageContaining("read_committed");
    AnalyticsPipeline.Builder viaConfig = AnalyticsPipeline.builder("localhost:9092").groupId("g")
        .config(PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE).build());
    assertThatThrownBy(() -> viaConfig.lateEvents(Sinks.forEach("late", e -> { })).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("lateEvents");

    AnalyticsPipeline job = AnalyticsPipeline.builder("localhost:9092").groupId("g")
        .guarantee(Guarantee.EXACTLY_ONCE).build();
    assertThat(job.counters().badRecords()).isZero();
    assertThat(job.counters().lateEvents()).isZero();
  }
}
