package io.nip.examples.analytics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
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
  /** Reads with the fast (still correctly rounded) double parser: {@code properties.value} is on every line. */
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
  private final CanonicalStrings eventTypes = new CanonicalStrings();

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

  /**
   * Streams over the bytes once (no tree), remembering per field either its value or what is
   * wrong with it; the checks then run in a fixed order, so the reported problem does not depend
   * on the order of the fields in the line.
   */
  @Override
  public AnalyticsEvent deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    long now = System.nanoTime();
    Fields f = new Fields();
    try (JsonParser p = FACTORY.createParser(bytes)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw bad(bytes, "not a JSON object but " + kind(first), null);
      }
      readObject(p, f);
      if (p.nextToken() != null) {
        throw bad(bytes, "not JSON: trailing content after the object", null);
      }
    } catch (JsonProcessingException ex) {
      throw bad(bytes, "not JSON: " + firstLine(ex.getOriginalMessage()), ex);
    } catch (IOException ex) {
      throw bad(bytes, "not JSON: " + firstLine(ex.getMessage()), ex);
    }
    String userId = required("user_id", f.userId, f.userIdKind, bytes);
    if (userId.isEmpty()) {
      throw bad(bytes, "field 'user_id' is empty", null);
    }
    String eventType = required("event_type", f.eventType, f.eventTypeKind, bytes);
    Instant time = timestamp(f, bytes);
    if (f.eventIdKind != null) {
      throw bad(bytes, "field 'event_id' must be a string, not " + f.eventIdKind, null);
    }
    if (f.propertiesKind != null) {
      throw bad(bytes, "field 'properties' must be an object, not " + f.propertiesKind, null);
    }
    if (f.valueKind != null) {
      throw bad(bytes, "field 'properties.value' must be a number, not " + f.valueKind, null);
    }
    if (!Double.isFinite(f.value)) {
      throw bad(bytes, "field 'properties.value' is out of range: " + f.value, null);
    }
    return new AnalyticsEvent(f.eventId, userId, eventType, time, f.value, now);
  }

  /** What one line said, field by field; a {@code ...Kind} names the JSON kind of a mistyped value. */
  private static final class Fields {
    String userId;
    String userIdKind;
    String eventType;
    String eventTypeKind;
    String timestampText;
    long timestampMillis;
    boolean timestampIsMillis;
    String timestampKind;
    boolean timestampOutOfRange;
    String eventId;
    String eventIdKind;
    String propertiesKind;
    double value;
    String valueKind;
  }

  private void readObject(JsonParser p, Fields f) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "user_id":
          f.userId = t == JsonToken.VALUE_STRING ? p.getText() : null;
          f.userIdKind = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NULL ? null : kind(t);
          break;
        case "event_type":
          f.eventType = t == JsonToken.VALUE_STRING ? eventTypes.canonical(p) : null;
          f.eventTypeKind = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NULL ? null : kind(t);
          break;
        case "timestamp":
          readTimestamp(p, t, f);
          break;
        case "event_id":
          f.eventId = t == JsonToken.VALUE_STRING ? p.getText() : null;
          f.eventIdKind = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NULL ? null : kind(t);
          break;
        case "properties":
          f.value = 0.0;
          f.valueKind = null;
          f.propertiesKind = null;
          if (t == JsonToken.START_OBJECT) {
            readProperties(p, f);
            continue;
          }
          f.propertiesKind = t == JsonToken.VALUE_NULL ? null : kind(t);
          break;
        default:
          break;
      }
      p.skipChildren();
    }
  }

  private static void readTimestamp(JsonParser p, JsonToken t, Fields f) throws IOException {
    f.timestampText = null;
    f.timestampIsMillis = false;
    f.timestampKind = null;
    f.timestampOutOfRange = false;
    if (t == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        f.timestampOutOfRange = true;
        f.timestampText = p.getText();
      } else {
        f.timestampIsMillis = true;
        f.timestampMillis = p.getLongValue();
      }
    } else if (t == JsonToken.VALUE_STRING) {
      f.timestampText = p.getText();
    } else if (t != JsonToken.VALUE_NULL) {
      f.timestampKind = kind(t);
    }
  }

  private static void readProperties(JsonParser p, Fields f) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (name.equals("value")) {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
          f.value = p.getDoubleValue();
          f.valueKind = null;
        } else {
          f.value = 0.0;
          f.valueKind = t == JsonToken.VALUE_NULL ? null : kind(t);
        }
      }
      p.skipChildren();
    }
  }

  private static String required(String field, String value, String wrongKind, byte[] bytes) {
    if (wrongKind != null) {
      throw bad(bytes, "field '" + field + "' must be a string, not " + wrongKind, null);
    }
    if (value == null) {
      throw bad(bytes, "field '" + field + "' is missing", null);
    }
    return value;
  }

  private static Instant timestamp(Fields f, byte[] bytes) {
    if (f.timestampIsMillis) {
      return Instant.ofEpochMilli(f.timestampMillis);
    }
    if (f.timestampOutOfRange) {
      throw bad(bytes, "field 'timestamp' is out of range for epoch milliseconds: " + f.timestampText, null);
    }
    if (f.timestampKind != null) {
      throw bad(bytes, "field 'timestamp' must be an ISO-8601 string or epoch milliseconds, not " + f.timestampKind,
          null);
    }
    if (f.timestampText == null) {
      throw bad(bytes, "field 'timestamp' is missing", null);
    }
    Instant fast = IsoInstants.parse(f.timestampText);
    if (fast != null) {
      return fast;
    }
    try {
      return OffsetDateTime.parse(f.timestampText, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeException ex) {
      throw bad(bytes, "field 'timestamp' is not an ISO-8601 date-time with Z or an offset: '" + f.timestampText
          + "'", ex);
    }
  }

  private static String kind(JsonToken t) {
    if (t == null) {
      return "empty input";
    }
    switch (t) {
      case VALUE_STRING:
        return "a string";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case START_ARRAY:
        return "an array";
      case START_OBJECT:
        return "an object";
      case VALUE_NULL:
        return "null";
      default:
        return t.name().toLowerCase(java.util.Locale.ROOT);
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
