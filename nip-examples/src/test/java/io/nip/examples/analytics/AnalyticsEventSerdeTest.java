package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.SerializationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AnalyticsEventSerdeTest {
  private final AnalyticsEventSerde serde = new AnalyticsEventSerde();

  private AnalyticsEvent parse(String line) {
    return serde.deserialize(line.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void when_a_line_has_every_field_then_each_is_read() {
    AnalyticsEvent e = parse("{\"event_id\":\"e1\",\"user_id\":\"user123\",\"event_type\":\"purchase\","
        + "\"timestamp\":\"2026-01-17T17:00:00Z\",\"properties\":{\"value\":12.5,\"page\":\"/x\"},\"extra\":[1]}");

    assertThat(e.eventId()).isEqualTo("e1");
    assertThat(e.userId()).isEqualTo("user123");
    assertThat(e.eventType()).isEqualTo("purchase");
    assertThat(e.eventTime()).isEqualTo(Instant.parse("2026-01-17T17:00:00Z"));
    assertThat(e.value()).isEqualTo(12.5);
    assertThat(e.isBot()).isFalse();
  }

  @ParameterizedTest(name = "timestamp {0} is {1}")
  @CsvSource(delimiter = '|', value = {
      "\"2026-01-17T17:00:00Z\"          | 2026-01-17T17:00:00Z",
      "\"2026-01-17T19:00:00+02:00\"     | 2026-01-17T17:00:00Z",
      "\"2026-01-17T12:00:00.250-05:00\" | 2026-01-17T17:00:00.250Z",
      "\"2026-01-17T17:00:00.123456Z\"   | 2026-01-17T17:00:00.123456Z",
      "1768669200000                     | 2026-01-17T17:00:00Z",
      "0                                 | 1970-01-01T00:00:00Z"})
  void when_the_timestamp_is_an_instant_with_zone_or_epoch_millis_then_it_is_read(String ts, String expected) {
    AnalyticsEvent e = parse("{\"user_id\":\"u\",\"event_type\":\"click\",\"timestamp\":" + ts + "}");

    assertThat(e.eventTime()).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest(name = "properties {0} gives value {1}")
  @CsvSource(delimiter = '|', value = {
      "absent                   | 0.0",
      "null                     | 0.0",
      "{}                       | 0.0",
      "{\"value\":null}         | 0.0",
      "{\"value\":7}            | 7.0",
      "{\"value\":-3.25}        | -3.25",
      "{\"value\":1e3}          | 1000.0"})
  void when_properties_value_is_a_number_missing_or_null_then_it_counts_as_that_number_or_zero(String props,
      double expected) {
    String line = "{\"user_id\":\"u\",\"event_type\":\"click\",\"timestamp\":0"
        + (props.equals("absent") ? "" : ",\"properties\":" + props) + "}";

    assertThat(parse(line).value()).isEqualTo(expected);
  }

  @Test
  void when_event_id_is_absent_or_null_then_it_is_null_and_bots_are_recognised() {
    assertThat(parse("{\"user_id\":\"bot_7\",\"event_type\":\"click\",\"timestamp\":0}").eventId()).isNull();
    assertThat(parse("{\"event_id\":null,\"user_id\":\"bot_7\",\"event_type\":\"click\",\"timestamp\":0}").isBot())
        .isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "not json at all                                                                  | not JSON",
      "{\"user_id\":\"u\",                                                                 | not JSON",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":0} trailing                  | not JSON",
      "[1,2]                                                                            | not a JSON object but an array",
      "\"text\"                                                                         | not a JSON object but a string",
      "42                                                                               | not a JSON object but a number",
      "null                                                                             | not a JSON object but null",
      "{\"event_type\":\"x\",\"timestamp\":0}                                             | field 'user_id' is missing",
      "{\"user_id\":null,\"event_type\":\"x\",\"timestamp\":0}                            | field 'user_id' is missing",
      "{\"user_id\":42,\"event_type\":\"x\",\"timestamp\":0}                              | field 'user_id' must be a string, not a number",
      "{\"user_id\":\"\",\"event_type\":\"x\",\"timestamp\":0}                            | field 'user_id' is empty",
      "{\"user_id\":\"u\",\"timestamp\":0}                                                | field 'event_type' is missing",
      "{\"user_id\":\"u\",\"event_type\":[\"x\"],\"timestamp\":0}                         | field 'event_type' must be a string, not an array",
      "{\"user_id\":\"u\",\"event_type\":\"x\"}                                           | field 'timestamp' is missing",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":\"2026-01-17T17:00:00\"}     | field 'timestamp' is not an ISO-8601 date-time with Z or an offset: '2026-01-17T17:00:00'",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":\"yesterday\"}               | field 'timestamp' is not an ISO-8601",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":\"2026-01-17\"}              | field 'timestamp' is not an ISO-8601",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":\"1768669200000\"}           | field 'timestamp' is not an ISO-8601",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":1768669200.5}                | field 'timestamp' must be an ISO-8601 string or epoch milliseconds, not a number",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":true}                        | field 'timestamp' must be an ISO-8601 string or epoch milliseconds, not a boolean",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":99999999999999999999999}     | field 'timestamp' is out of range",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":0,\"event_id\":5}            | field 'event_id' must be a string, not a number",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":0,\"properties\":[]}         | field 'properties' must be an object, not an array",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":0,\"properties\":\"v\"}      | field 'properties' must be an object, not a string",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":0,\"properties\":{\"value\":\"12\"}}    | field 'properties.value' must be a number, not a string",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":0,\"properties\":{\"value\":true}}    | field 'properties.value' must be a number, not a boolean",
      "{\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":0,\"properties\":{\"value\":{\"a\":1}}} | field 'properties.value' must be a number, not an object"})
  void when_a_line_is_bad_then_the_error_names_the_field_and_the_problem_and_keeps_the_bytes(String line,
      String reason) {
    assertThatThrownBy(() -> parse(line))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(reason)
        .satisfies(ex -> assertThat(new String(((SerializationException) ex).rawBytes(), StandardCharsets.UTF_8))
            .isEqualTo(line));
  }

  @Test
  void when_the_record_is_empty_then_it_is_bad_and_null_stays_null() {
    assertThatThrownBy(() -> parse("")).isInstanceOf(SerializationException.class)
        .hasMessageContaining("not a JSON object but empty input");
    assertThat(serde.deserialize(null)).isNull();
  }

  @Test
  void when_an_event_is_written_back_then_it_parses_to_the_same_fields() {
    AnalyticsEvent e = parse("{\"event_id\":\"e9\",\"user_id\":\"u\",\"event_type\":\"x\",\"timestamp\":\"2026-01-17T17:00:00.5Z\","
        + "\"properties\":{\"value\":3.5}}");

    AnalyticsEvent back = serde.deserialize(serde.serialize(e));

    assertThat(back).usingRecursiveComparison().ignoringFields("parsedAtNanos").isEqualTo(e);
  }
}
