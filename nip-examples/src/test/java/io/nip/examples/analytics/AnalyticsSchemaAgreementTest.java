package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.SerializationException;
import io.nip.schema.SchemaViolationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exercise 1's input contract twice: the strict parser ({@link AnalyticsEventSerde}, the fast path)
 * and the JSON Schema shipped with the example ({@link AnalyticsSchema}). The same good and bad lines
 * go to both, and both must accept or reject each alike.
 */
class AnalyticsSchemaAgreementTest {
  private static final String OK = "\"user_id\":\"u\",\"event_type\":\"x\"";

  static final List<String> GOOD = List.of(
      "{\"event_id\":\"e1\",\"user_id\":\"user123\",\"event_type\":\"purchase\",\"timestamp\":\"2026-01-17T17:00:00Z\","
          + "\"properties\":{\"value\":99.99,\"currency\":\"EUR\"}}",
      "{" + OK + ",\"timestamp\":0}",
      "{" + OK + ",\"timestamp\":1768669200000}",
      "{" + OK + ",\"timestamp\":-5}",
      "{" + OK + ",\"timestamp\":\"2026-01-17T17:00:00.5Z\"}",
      "{" + OK + ",\"timestamp\":\"2026-01-17T17:00:00.123456789+02:00\"}",
      "{" + OK + ",\"timestamp\":\"2026-01-17T17:00-05:30\"}",
      "{" + OK + ",\"timestamp\":0,\"event_id\":null}",
      "{" + OK + ",\"timestamp\":0,\"properties\":null}",
      "{" + OK + ",\"timestamp\":0,\"properties\":{}}",
      "{" + OK + ",\"timestamp\":0,\"properties\":{\"value\":null}}",
      "{" + OK + ",\"timestamp\":0,\"properties\":{\"value\":-3.25}}",
      "{" + OK + ",\"timestamp\":0,\"properties\":{\"value\":1e3}}",
      "{" + OK + ",\"timestamp\":0,\"extra\":[1,{\"a\":2}]}",
      "{\"user_id\":\"bot_7\",\"event_type\":\"\",\"timestamp\":0}");

  static final List<String> BAD = List.of(
      "{\"user_id\":\"u\",",
      "{" + OK + ",\"timestamp\":0} trailing",
      "{" + OK + ",\"timestamp\":0} {}",
      "",
      "[1,2]",
      "\"text\"",
      "42",
      "{\"event_type\":\"x\",\"timestamp\":0}",
      "{\"user_id\":null,\"event_type\":\"x\",\"timestamp\":0}",
      "{\"user_id\":42,\"event_type\":\"x\",\"timestamp\":0}",
      "{\"user_id\":\"\",\"event_type\":\"x\",\"timestamp\":0}",
      "{\"user_id\":\"u\",\"timestamp\":0}",
      "{\"user_id\":\"u\",\"event_type\":[\"x\"],\"timestamp\":0}",
      "{\"user_id\":\"u\",\"event_type\":null,\"timestamp\":0}",
      "{" + OK + "}",
      "{" + OK + ",\"timestamp\":null}",
      "{" + OK + ",\"timestamp\":\"2026-01-17T17:00:00\"}",
      "{" + OK + ",\"timestamp\":\"yesterday\"}",
      "{" + OK + ",\"timestamp\":\"2026-01-17\"}",
      "{" + OK + ",\"timestamp\":\"1768669200000\"}",
      "{" + OK + ",\"timestamp\":\"2026-13-17T17:00:00Z\"}",
      "{" + OK + ",\"timestamp\":\"2026-01-17T25:00:00Z\"}",
      "{" + OK + ",\"timestamp\":1768669200.5}",
      "{" + OK + ",\"timestamp\":true}",
      "{" + OK + ",\"timestamp\":99999999999999999999999}",
      "{" + OK + ",\"timestamp\":0,\"event_id\":5}",
      "{" + OK + ",\"timestamp\":0,\"properties\":[]}",
      "{" + OK + ",\"timestamp\":0,\"properties\":\"v\"}",
      "{" + OK + ",\"timestamp\":0,\"properties\":{\"value\":\"12\"}}",
      "{" + OK + ",\"timestamp\":0,\"properties\":{\"value\":true}}",
      "{" + OK + ",\"timestamp\":0,\"properties\":{\"value\":{\"a\":1}}}",
      "{" + OK + ",\"timestamp\":0,\"properties\":{\"value\":1e400}}");

  private static boolean parserAccepts(String line) {
    try {
      new AnalyticsEventSerde().deserialize(line.getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (SerializationException e) {
      return false;
    }
  }

  private static boolean schemaAccepts(String line) {
    try {
      return AnalyticsSchema.schema().validate(line.getBytes(StandardCharsets.UTF_8)).isEmpty();
    } catch (SerializationException notJson) {
      return false;
    }
  }

  @Test
  void the_parser_and_the_schema_accept_the_same_good_lines() {
    for (String line : GOOD) {
      assertThat(parserAccepts(line)).as("parser on %s", line).isTrue();
      assertThat(schemaAccepts(line)).as("schema on %s", line).isTrue();
    }
  }

  @Test
  void the_parser_and_the_schema_reject_the_same_bad_lines() {
    for (String line : BAD) {
      assertThat(parserAccepts(line)).as("parser on %s", line).isFalse();
      assertThat(schemaAccepts(line)).as("schema on %s", line).isFalse();
    }
  }

  @Test
  void the_validating_serde_names_the_violated_path_and_keyword_and_parses_what_passes() {
    byte[] bad = ("{" + OK + ",\"timestamp\":0,\"properties\":{\"value\":\"12\"}}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> AnalyticsSchema.validatingSerde().deserialize(bad))
        .isInstanceOf(SchemaViolationException.class)
        .hasMessageContaining("urn:nip:examples:analytics-event").hasMessageContaining("$.properties.value [type]");

    AnalyticsEvent e = AnalyticsSchema.validatingSerde().deserialize(GOOD.get(0).getBytes(StandardCharsets.UTF_8));
    assertThat(e.userId()).isEqualTo("user123");
    assertThat(e.value()).isEqualTo(99.99);
  }

  @Test
  void where_the_schema_cannot_say_it_the_parser_behind_it_still_rejects() {
    // the documented differences (AnalyticsSchema): a date that does not exist, a whole timestamp
    // written with a fraction
    for (String line : List.of("{" + OK + ",\"timestamp\":\"2026-02-30T17:00:00Z\"}",
        "{" + OK + ",\"timestamp\":1000.0}")) {
      assertThat(schemaAccepts(line)).as("schema on %s", line).isTrue();
      assertThat(parserAccepts(line)).as("parser on %s", line).isFalse();
      assertThatThrownBy(() -> AnalyticsSchema.validatingSerde().deserialize(line.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(SerializationException.class).isNotInstanceOf(SchemaViolationException.class);
    }
  }
}
