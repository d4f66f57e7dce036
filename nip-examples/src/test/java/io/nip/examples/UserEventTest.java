package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserEventTest {
  private final Serde<UserEvent> serde = Serdes.json(UserEvent.class);

  private UserEvent parse(String json) {
    return serde.deserialize(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a_tutorial_shaped_line_parses_with_snake_case_names() {
    UserEvent e = parse("{\"event_id\":\"e1\",\"user_id\":\"user_7\",\"event_type\":\"purchase\","
        + "\"timestamp\":\"2026-01-17T17:00:00Z\",\"properties\":{\"priority\":7,\"amount\":19.5},\"extra\":1}");

    assertThat(e).isEqualTo(new UserEvent("e1", "user_7", "purchase", Instant.parse("2026-01-17T17:00:00Z"),
        Map.of("priority", 7, "amount", 19.5)));
    assertThat(e.number("priority")).isEqualTo(7.0);
    assertThat(e.number("missing")).isZero();
  }

  @Test
  void python_isoformat_and_epoch_timestamps_are_understood() {
    String head = "{\"user_id\":\"u\",\"event_type\":\"click\",\"timestamp\":";
    assertThat(parse(head + "\"2026-01-17T17:00:00.250000\"}").eventTime())
        .isEqualTo(Instant.parse("2026-01-17T17:00:00.250Z"));
    assertThat(parse(head + "\"2026-01-17T18:00:00+01:00\"}").eventTime())
        .isEqualTo(Instant.parse("2026-01-17T17:00:00Z"));
    assertThat(parse(head + "1768669200.5}").eventTime()).isEqualTo(Instant.parse("2026-01-17T17:00:00.500Z"));
    assertThat(parse(head + "1768669200000}").eventTime()).isEqualTo(Instant.parse("2026-01-17T17:00:00Z"));
    assertThat(parse(head + "\"2026-01-17T17:00:00Z\"}").properties()).isEmpty();
  }

  @Test
  void lines_missing_required_fields_or_with_bad_timestamps_are_serialization_errors() {
    assertThatThrownBy(() -> parse("{\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:00Z\"}"))
        .isInstanceOf(SerializationException.class).hasMessageContaining("user_id");
    assertThatThrownBy(() -> parse("{\"user_id\":\"u\",\"event_type\":\"click\",\"timestamp\":\"yesterday\"}"))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> parse("not json")).isInstanceOf(SerializationException.class);
  }

  @Test
  void written_json_uses_the_same_names_and_reads_back_equal() {
    UserEvent e = new UserEvent("e2", "user_1", "signup", Instant.parse("2026-01-17T17:00:01Z"),
        Map.of("source", "ad"));
    String json = new String(serde.serialize(e), StandardCharsets.UTF_8);

    assertThat(json).isEqualTo("{\"event_id\":\"e2\",\"user_id\":\"user_1\",\"event_type\":\"signup\","
        + "\"timestamp\":\"2026-01-17T17:00:01Z\",\"properties\":{\"source\":\"ad\"}}");
    assertThat(parse(json)).isEqualTo(e);
  }

  @Test
  void withProperties_returns_a_new_event_and_leaves_the_original_alone() {
    UserEvent e = new UserEvent("e", "u", "t", Instant.EPOCH, Map.of("a", 1));
    UserEvent f = e.withProperties(Map.of("b", 2, "a", 3));
    assertThat(e.properties()).containsExactly(Map.entry("a", 1));
    assertThat(f.properties()).containsEntry("a", 3).containsEntry("b", 2).hasSize(2);
  }
}
