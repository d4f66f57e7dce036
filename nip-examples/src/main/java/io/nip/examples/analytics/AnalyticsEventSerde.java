package io.nip.examples.analytics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The strict parser of exercise 1's input: one JSON object per record. Anything that does not
 * match throws a {@link SerializationException} whose message names the field and the problem, so
 * the Kafka source hands the record, with its raw bytes, to the pipeline's error policy (the
 * dead-letter topic).
 *
 * <p>Accepted: {@code user_id} a non-empty JSON string; {@code event_type} a JSON string;
 * {@code timestamp} an ISO-8601 date-time with {@code Z} or an offset ({@code +02:00}), or epoch
 * milliseconds as a JSON integer; {@code event_id} absent, null or a string; {@code properties}
 * absent, null or an object whose {@code value} is absent, null or a JSON number. Everything else is
 * bad input, including a zone-less local time (it names no instant).
 *
 * <pre>{@code
 * KafkaSource.builder("user-events", new AnalyticsEventSerde()).bootstrapServers(servers).groupId("analytics").build();
 * }</pre>
 */
public final class AnalyticsEventSerde implements Serde<AnalyticsEvent> {
  private static final ObjectMapper MAPPER = Serdes.objectMapper();
  private static final ObjectReader READER = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * Writes the event back as JSON (timestamp as an ISO-8601 instant); used for late events sent
   * to a sink.
   */
  @Override
  public byte[] serialize(AnalyticsEvent e) {
    if (e == null) {
      return null;
    }
    ObjectNode n = MAPPER.createObjectNode();
    if (e.eventId() != null) {
      n.put("event_id", e.eventId());
    }
    n.put("user_id", e.userId());
    n.put("event_type", e.eventType());
    n.put("timestamp", e.eventTime().toString());
    n.putObject("properties").put("value", e.value());
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException ex) {
      throw new SerializationException("cannot write event: " + ex.getMessage(), null, ex);
    }
  }

  @Override
  public AnalyticsEvent deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    long now = System.nanoTime();
    JsonNode root;
    try {
      root = READER.readTree(bytes);
    } catch (JsonProcessingException ex) {
      throw bad(bytes, "not JSON: " + firstLine(ex.getOriginalMessage()), ex);
    } catch (IOException ex) {
      throw bad(bytes, "not JSON: " + firstLine(ex.getMessage()), ex);
    }
    if (root == null || !root.isObject()) {
      throw bad(bytes, "not a JSON object but " + kind(root), null);
    }
    String userId = requiredString(root, "user_id", bytes);
    if (userId.isEmpty()) {
      throw bad(bytes, "field 'user_id' is empty", null);
    }
    String eventType = requiredString(root, "event_type", bytes);
    Instant time = timestamp(root.get("timestamp"), bytes);
    JsonNode id = root.get("event_id");
    if (id != null && !id.isNull() && !id.isTextual()) {
      throw bad(bytes, "field 'event_id' must be a string, not " + kind(id), null);
    }
    return new AnalyticsEvent(id == null || id.isNull() ? null : id.textValue(), userId, eventType, time,
        value(root.get("properties"), bytes), now);
  }

  private static String requiredString(JsonNode root, String field, byte[] bytes) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw bad(bytes, "field '" + field + "' is missing", null);
    }
    if (!n.isTextual()) {
      throw bad(bytes, "field '" + field + "' must be a string, not " + kind(n), null);
    }
    return n.textValue();
  }

  private static Instant timestamp(JsonNode n, byte[] bytes) {
    if (n == null || n.isNull()) {
      throw bad(bytes, "field 'timestamp' is missing", null);
    }
    if (n.isIntegralNumber()) {
      if (!n.canConvertToLong()) {
        throw bad(bytes, "field 'timestamp' is out of range for epoch milliseconds: " + n, null);
      }
      return Instant.ofEpochMilli(n.longValue());
    }
    if (!n.isTextual()) {
      throw bad(bytes, "field 'timestamp' must be an ISO-8601 string or epoch milliseconds, not " + kind(n), null);
    }
    try {
      return OffsetDateTime.parse(n.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeException ex) {
      throw bad(bytes, "field 'timestamp' is not an ISO-8601 date-time with Z or an offset: '" + n.textValue() + "'",
          ex);
    }
  }

  private static double value(JsonNode props, byte[] bytes) {
    if (props == null || props.isNull()) {
      return 0.0;
    }
    if (!props.isObject()) {
      throw bad(bytes, "field 'properties' must be an object, not " + kind(props), null);
    }
    JsonNode v = props.get("value");
    if (v == null || v.isNull()) {
      return 0.0;
    }
    if (!v.isNumber()) {
      throw bad(bytes, "field 'properties.value' must be a number, not " + kind(v), null);
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      throw bad(bytes, "field 'properties.value' is out of range: " + v, null);
    }
    return d;
  }

  private static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "empty input";
    }
    switch (n.getNodeType()) {
      case STRING:
        return "a string";
      case BOOLEAN:
        return "a boolean";
      case NUMBER:
        return "a number";
      case ARRAY:
        return "an array";
      case OBJECT:
        return "an object";
      case NULL:
        return "null";
      default:
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static SerializationException bad(byte[] bytes, String reason, Throwable cause) {
    return new SerializationException(reason, bytes, cause);
  }
}
