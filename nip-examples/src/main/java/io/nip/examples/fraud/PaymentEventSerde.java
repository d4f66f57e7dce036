package io.nip.examples.fraud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The strict parser of exercise 3's input: one JSON object per record, with exercise 1's rules
 * ({@code io.nip.examples.analytics.AnalyticsEventSerde}) plus the payment fields. Anything that
 * does not match throws a {@link SerializationException} whose message names the field and the
 * problem, so the source hands the record, with its raw bytes, to the pipeline's error policy (the
 * dead-letter path).
 *
 * <p>Accepted: {@code user_id} a non-empty string; {@code event_type} a string; {@code timestamp}
 * an ISO-8601 date-time with {@code Z} or an offset, or epoch milliseconds as a JSON integer;
 * {@code event_id} absent, null or a string; {@code properties} absent, null or an object whose
 * {@code value} is absent, null or a number. For {@code event_type} {@code "payment"} the
 * properties must also hold {@code amount} (a finite number), {@code country} (a non-empty string),
 * {@code status} ({@code "success"} or {@code "failed"}) and optionally {@code label_fraud} (a
 * boolean or null). Amounts are read as exact decimals.
 *
 * <pre>{@code
 * KafkaSource.builder("user-events", new PaymentEventSerde()).bootstrapServers(servers).groupId("fraud").build();
 * }</pre>
 */
public final class PaymentEventSerde implements Serde<Payment> {
  private static final ObjectMapper MAPPER = Serdes.objectMapper().copy()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Writes the event back as JSON in the input format (timestamp as an ISO-8601 instant). */
  @Override
  public byte[] serialize(Payment e) {
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
    ObjectNode props = n.putObject("properties");
    if (e.amount() != null) {
      props.put("amount", e.amount());
    }
    if (e.country() != null) {
      props.put("country", e.country());
    }
    if (e.status() != null) {
      props.put("status", e.status());
    }
    if (e.labelFraud() != null) {
      props.put("label_fraud", e.labelFraud());
    }
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException ex) {
      throw new SerializationException("cannot write event: " + ex.getMessage(), null, ex);
    }
  }

  @Override
  public Payment deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (IOException ex) {
      String why = ex instanceof JsonProcessingException j ? j.getOriginalMessage() : ex.getMessage();
      throw bad(bytes, "not JSON: " + (why == null ? "unreadable" : why.lines().findFirst().orElse("unreadable")), ex);
    }
    if (root == null || !root.isObject()) {
      throw bad(bytes, "not a JSON object but " + kind(root), null);
    }
    String userId = requiredString(root, "user_id", "user_id", bytes);
    if (userId.isEmpty()) {
      throw bad(bytes, "field 'user_id' is empty", null);
    }
    String eventType = requiredString(root, "event_type", "event_type", bytes);
    Instant time = timestamp(root.get("timestamp"), bytes);
    JsonNode id = root.get("event_id");
    if (id != null && !id.isNull() && !id.isTextual()) {
      throw bad(bytes, "field 'event_id' must be a string, not " + kind(id), null);
    }
    String eventId = id == null || id.isNull() ? null : id.textValue();
    JsonNode props = root.get("properties");
    if (props != null && !props.isNull() && !props.isObject()) {
      throw bad(bytes, "field 'properties' must be an object, not " + kind(props), null);
    }
    JsonNode value = props == null ? null : props.get("value");
    if (value != null && !value.isNull() && !value.isNumber()) {
      throw bad(bytes, "field 'properties.value' must be a number, not " + kind(value), null);
    }
    if (!Payment.PAYMENT.equals(eventType)) {
      return new Payment(eventId, userId, eventType, time, null, null, null, null);
    }
    if (props == null || props.isNull()) {
      throw bad(bytes, "a payment needs 'properties' with amount, country and status", null);
    }
    return new Payment(eventId, userId, eventType, time, amount(props, bytes),
        nonEmpty(requiredString(props, "country", "properties.country", bytes), "properties.country", bytes),
        status(props, bytes), label(props, bytes));
  }

  private static BigDecimal amount(JsonNode props, byte[] bytes) {
    JsonNode a = props.get("amount");
    if (a == null || a.isNull()) {
      throw bad(bytes, "field 'properties.amount' is missing", null);
    }
    if (!a.isNumber()) {
      throw bad(bytes, "field 'properties.amount' must be a number, not " + kind(a), null);
    }
    if (a.isDouble() || a.isFloat()) { // only when a float did not fit BigDecimal reading
      throw bad(bytes, "field 'properties.amount' is out of range: " + a.asText(), null);
    }
    return a.decimalValue();
  }

  private static String status(JsonNode props, byte[] bytes) {
    String s = requiredString(props, "status", "properties.status", bytes);
    if (!Payment.SUCCESS.equals(s) && !Payment.FAILED.equals(s)) {
      throw bad(bytes, "field 'properties.status' must be \"success\" or \"failed\", not \"" + s + "\"", null);
    }
    return s.equals(Payment.SUCCESS) ? Payment.SUCCESS : Payment.FAILED;
  }

  private static Boolean label(JsonNode props, byte[] bytes) {
    JsonNode l = props.get("label_fraud");
    if (l == null || l.isNull()) {
      return null;
    }
    if (!l.isBoolean()) {
      throw bad(bytes, "field 'properties.label_fraud' must be a boolean, not " + kind(l), null);
    }
    return l.booleanValue();
  }

  private static String nonEmpty(String s, String field, byte[] bytes) {
    if (s.isEmpty()) {
      throw bad(bytes, "field '" + field + "' is empty", null);
    }
    return s;
  }

  private static String requiredString(JsonNode obj, String name, String field, byte[] bytes) {
    JsonNode n = obj.get(name);
    if (n == null || n.isNull()) {
      throw bad(bytes, "field '" + field + "' is missing", null);
    }
    if (!n.isTextual()) {
      throw bad(bytes, "field '" + field + "' must be a string, not " + kind(n), null);
    }
    return n.textValue();
  }

  private static Instant timestamp(JsonNode t, byte[] bytes) {
    if (t == null || t.isNull()) {
      throw bad(bytes, "field 'timestamp' is missing", null);
    }
    if (t.isIntegralNumber()) {
      if (!t.canConvertToLong()) {
        throw bad(bytes, "field 'timestamp' is out of range for epoch milliseconds: " + t.asText(), null);
      }
      return Instant.ofEpochMilli(t.longValue());
    }
    if (!t.isTextual()) {
      throw bad(bytes, "field 'timestamp' must be an ISO-8601 string or epoch milliseconds, not " + kind(t), null);
    }
    try {
      return OffsetDateTime.parse(t.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeException ex) {
      throw bad(bytes, "field 'timestamp' is not an ISO-8601 date-time with Z or an offset: '" + t.textValue()
          + "'", ex);
    }
  }

  private static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "empty input";
    }
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isBoolean()) {
      return "a boolean";
    }
    if (n.isNumber()) {
      return "a number";
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isObject()) {
      return "an object";
    }
    return "null";
  }

  private static SerializationException bad(byte[] bytes, String reason, Throwable cause) {
    return new SerializationException(reason, bytes, cause);
  }
}
