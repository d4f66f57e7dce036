package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.window.Aggregate;
import io.nip.window.WindowAggregator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exercise 1's totals are exact and do not depend on the order the events arrive in. */
class AnalyticsAggregatorTest {
  private static final Instant START = Instant.parse("2026-01-17T17:00:00Z");

  private static UserWindowSummary summarize(List<Double> values) {
    WindowAggregator<AnalyticsEvent, UserWindowSummary> agg = AnalyticsPipeline.aggregator(
        Timer.builder("t").register(new SimpleMeterRegistry()));
    return fold(agg, agg.asAggregate(), values);
  }

  private static <A> UserWindowSummary fold(WindowAggregator<AnalyticsEvent, UserWindowSummary> agg,
      Aggregate<AnalyticsEvent, A, Map<String, Object>> all, List<Double> values) {
    A acc = all.createAccumulator();
    for (double v : values) {
      acc = all.add(acc, new AnalyticsEvent(null, "user_1", "purchase", START, v, 1L));
    }
    return agg.combine("user_1", START, START.plusSeconds(300), all.result(acc));
  }

  @Test
  void when_values_arrive_in_different_orders_then_total_value_is_the_same_exact_number() {
    // Given 0.1, 0.2 and 0.3, whose double sum depends on the order
    // When one window sums them in two orders
    UserWindowSummary one = summarize(List.of(0.1, 0.2, 0.3));
    UserWindowSummary other = summarize(List.of(0.3, 0.2, 0.1));
    // Then both totals are 0.6, written as the same plain JSON number
    assertThat(one.totalValue()).isEqualTo(0.6);
    assertThat(other.totalValue()).isEqualTo(0.6);
    assertThat(new String(UserWindowSummary.SERDE.serialize(one), StandardCharsets.UTF_8)).endsWith("\"total_value\":0.6}");
  }

  @Test
  void when_values_are_whole_then_total_value_keeps_its_json_format() {
    UserWindowSummary s = summarize(List.of(10.0, 5.0));
    assertThat(new String(UserWindowSummary.SERDE.serialize(s), StandardCharsets.UTF_8))
        .endsWith("\"event_count\":2,\"unique_event_types\":1,\"total_value\":15.0}");
  }
}
