package io.nip.examples.fraud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One fraud alert of exercise 3. As JSON ({@link #SERDE}), exactly:
 *
 * <pre>{@code
 * {"alert_id":"…","user_id":"c7","pattern":"failed_payments","detected_at":"2026-01-17T17:03:10Z",
 *  "evidence":[{"event_id":"e1","timestamp":"2026-01-17T17:00:00Z","amount":12.5,"country":"FR","status":"failed"}, …]}
 * }</pre>
 *
 * <p>{@code alert_id} is a name-based UUID of (user, pattern, detected_at), so an alert produced
 * again after a restart has the same id. {@code evidence} holds the payments that made the rule
 * hold, in event-time order (ties in input order): for {@code failed_payments} the three failed
 * payments ending at the triggering one, for {@code multi_country} the user's latest payment in each
 * country of the hour, for {@code spending_spike} the triggering payment. An evidence item without
 * an {@code event_id} in the input has none.
 *
 * @param alertId see above
 * @param userId the user
 * @param pattern {@link FraudRules#FAILED_PAYMENTS}, {@link FraudRules#MULTI_COUNTRY} or
 *     {@link FraudRules#SPENDING_SPIKE}
 * @param detectedAt the event time of the triggering payment
 * @param evidence the payments behind the alert, never empty
 * @param labelFraud the triggering payment's {@code properties.label_fraud}, null when unlabelled;
 *     not part of the JSON (it is ground truth for monitoring, see {@link FraudMonitor})
 */
public record FraudAlert(String alertId, String userId, String pattern, Instant detectedAt, List<Payment> evidence,
    Boolean labelFraud) {
  /** The alert as the exercise's JSON; reading back is not supported (alerts are output only). */
  public static final Serde<FraudAlert> SERDE = new Json();

  /** Checks the fields; copies the evidence. */
  public FraudAlert {
    Objects.requireNonNull(alertId, "alertId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(detectedAt, "detectedAt");
    evidence = List.copyOf(evidence);
  }

  /**
   * @param userId the user
   * @param pattern the rule
   * @param detectedAt the triggering payment's event time
   * @return the deterministic {@code alert_id} of that alert
   */
  public static String idOf(String userId, String pattern, Instant detectedAt) {
    return UUID.nameUUIDFromBytes((userId + '\u0000' + pattern + '\u0000' + detectedAt.toEpochMilli())
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** @return {@code evidence} as a JSON array text, as stored in the database */
  public String evidenceJson() {
    return Json.evidence(Json.MAPPER.createArrayNode(), evidence).toString();
  }

  /** Writes the exercise's JSON shape; fields in the documented order. */
  private static final class Json implements Serde<FraudAlert> {
    static final ObjectMapper MAPPER = Serdes.objectMapper();

    @Override
    public byte[] serialize(FraudAlert a) {
      if (a == null) {
        return null;
      }
      ObjectNode n = MAPPER.createObjectNode();
      n.put("alert_id", a.alertId());
      n.put("user_id", a.userId());
      n.put("pattern", a.pattern());
      n.put("detected_at", a.detectedAt().toString());
      evidence(n.putArray("evidence"), a.evidence());
      try {
        return MAPPER.writeValueAsBytes(n);
      } catch (JsonProcessingException ex) {
        throw new SerializationException("cannot write alert: " + ex.getMessage(), null, ex);
      }
    }

    static ArrayNode evidence(ArrayNode arr, List<Payment> payments) {
      for (Payment p : payments) {
        ObjectNode e = arr.addObject();
        if (p.eventId() != null) {
          e.put("event_id", p.eventId());
        }
        e.put("timestamp", p.eventTime().toString());
        e.put("amount", p.amount());
        e.put("country", p.country());
        e.put("status", p.status());
      }
      return arr;
    }

    @Override
    public FraudAlert deserialize(byte[] bytes) {
      throw new SerializationException("alerts are written, not read", bytes, null);
    }
  }
}
