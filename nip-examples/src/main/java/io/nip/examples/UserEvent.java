package io.nip.examples;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.nip.event.Event;
import io.nip.event.GenericEvent;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The tutorial's {@code UserEvent}: who did what, when, with free-form properties. JSON uses the
 * tutorial's snake_case names, so a line such as
 * {@code {"event_id":"e1","user_id":"user_7","event_type":"purchase","timestamp":"2026-01-17T17:00:00Z","properties":{"priority":7}}}
 * parses directly; unknown fields are ignored. The timestamp may be an ISO-8601 instant, an
 * ISO-8601 local date-time (Python's {@code datetime.now().isoformat()}, read as UTC) or epoch
 * seconds/milliseconds (see {@link FlexibleInstantDeserializer}).
 *
 * <p>Records are immutable: where the tutorial assigns {@code event.properties[...]}, Java code
 * calls {@link #withProperties(Map)} and gets a new event.
 *
 * <pre>{@code
 * UserEvent e = new UserEvent("e1", "user_7", "purchase", Instant.now(), Map.of("priority", 7));
 * UserEvent enriched = e.withProperties(Map.of("enriched", true));
 * }</pre>
 *
 * @param eventId unique id, may be null when the producer gives none
 * @param userId the user, required
 * @param eventType what happened, required
 * @param eventTime when it happened, required; JSON name {@code timestamp}
 * @param properties the payload; never null, unmodifiable, insertion order kept, null values allowed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"event_id", "user_id", "event_type", "timestamp", "properties"})
public record UserEvent(
    @JsonProperty("event_id") String eventId,
    @JsonProperty("user_id") String userId,
    @JsonProperty("event_type") String eventType,
    @JsonProperty("timestamp") @JsonDeserialize(using = FlexibleInstantDeserializer.class) Instant eventTime,
    @JsonProperty("properties") Map<String, Object> properties)
    implements Event {

  /** Checks the required fields and freezes the properties. */
  public UserEvent {
    Objects.requireNonNull(userId, "user_id");
    Objects.requireNonNull(eventType, "event_type");
    Objects.requireNonNull(eventTime, "timestamp");
    properties = properties == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  /**
   * Converts a synthetic generator event: its key becomes the user, its properties are kept, and
   * a {@code priority} from 0 to 9 (derived from the generated {@code value}) is added so that the
   * tutorial's priority filter has something to select.
   *
   * @param e a generator event
   * @return the user event
   */
  public static UserEvent fromGeneric(GenericEvent e) {
    Map<String, Object> props = new LinkedHashMap<>(e.properties());
    props.put("priority", (int) e.number("value") % 10);
    return new UserEvent(e.eventId(), e.key(), e.eventType(), e.eventTime(), props);
  }

  /**
   * @param extra properties to add or replace
   * @return a copy of this event with the merged properties
   */
  public UserEvent withProperties(Map<String, ?> extra) {
    Map<String, Object> merged = new LinkedHashMap<>(properties);
    merged.putAll(extra);
    return new UserEvent(eventId, userId, eventType, eventTime, merged);
  }

  /**
   * @param name a property name
   * @return the property as a number, 0 when absent or not numeric (like the tutorial's
   *     {@code properties.get(name, 0)}); numeric strings such as {@code "7"} are read too
   */
  public double number(String name) {
    Object v = properties.get(name);
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof String) {
      try {
        return Double.parseDouble((String) v);
      } catch (NumberFormatException e) {
        return 0.0;
      }
    }
    return 0.0;
  }
}
