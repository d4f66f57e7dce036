package io.nip.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An event whose payload is a map, for pipelines that do not define their own record type. The
 * synthetic generator produces these.
 *
 * @param eventId unique id
 * @param key the entity the event is about (user, account, device ...)
 * @param eventType the kind of event
 * @param eventTime when it happened
 * @param properties the payload, immutable
 */
public record GenericEvent(
    String eventId, String key, String eventType, Instant eventTime, Map<String, Object> properties)
    implements Event {

  /** Validates and copies the payload. */
  public GenericEvent {
    Objects.requireNonNull(eventTime, "eventTime");
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  /**
   * @param name a property name
   * @return the property as a double, 0 when absent or not a number
   */
  public double number(String name) {
    Object v = properties.get(name);
    return v instanceof Number ? ((Number) v).doubleValue() : 0.0;
  }
}
