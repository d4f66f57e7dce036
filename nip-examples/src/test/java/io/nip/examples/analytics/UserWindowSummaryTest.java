package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UserWindowSummaryTest {

  @Test
  void when_a_summary_is_written_then_the_json_is_exactly_the_exercise_format() {
    UserWindowSummary s = new UserWindowSummary("user123", Instant.parse("2026-01-17T17:00:00Z"),
        Instant.parse("2026-01-17T17:05:00Z"), 47, 8, 1250.0);

    String json = new String(UserWindowSummary.SERDE.serialize(s), StandardCharsets.UTF_8);

    assertThat(json).isEqualTo("{\"user_id\":\"user123\",\"window_start\":\"2026-01-17T17:00:00Z\","
        + "\"window_end\":\"2026-01-17T17:05:00Z\",\"event_count\":47,\"unique_event_types\":8,\"total_value\":1250.0}");
    assertThat(UserWindowSummary.SERDE.deserialize(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(s);
  }
}
