package io.nip.jdbc;

import java.util.Map;
import java.util.Objects;

/**
 * An event to append to an {@link EventStore}: its type, its payload (any value Jackson writes as
 * JSON: a record, a map, a {@code JsonNode}) and optional metadata (correlation ids, the user who
 * caused it, ...). The store gives it its version and recorded time.
 *
 * <pre>{@code
 * EventData e = EventData.of("page_viewed", Map.of("page", "/checkout"))
 *     .withMetadata(Map.of("correlation_id", requestId));
 * }</pre>
 *
 * @param eventType the kind of event, e.g. {@code "page_viewed"}; not blank, at most 200 characters
 * @param payload the event's data, written as JSON; not null
 * @param metadata written as a JSON object; never null (empty when none)
 */
public record EventData(String eventType, Object payload, Map<String, ?> metadata) {
  static final int MAX_TYPE_LENGTH = 200;

  /**
   * @throws NullPointerException when the type or payload is null
   * @throws IllegalArgumentException when the type is blank or longer than 200 characters
   */
  public EventData {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(payload, "payload");
    if (eventType.isBlank() || eventType.length() > MAX_TYPE_LENGTH) {
      throw new IllegalArgumentException("eventType must be non-blank and at most " + MAX_TYPE_LENGTH
          + " characters, was '" + (eventType.length() > 40 ? eventType.substring(0, 40) + "..." : eventType) + "'");
    }
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /**
   * @param eventType the kind of event
   * @param payload the event's data
   * @return an event without metadata
   */
  public static EventData of(String eventType, Object payload) {
    return new EventData(eventType, payload, Map.of());
  }

  /**
   * @param metadata the metadata, e.g. {@code Map.of("correlation_id", id)}; no null keys or values
   * @return a copy with that metadata
   */
  public EventData withMetadata(Map<String, ?> metadata) {
    return new EventData(eventType, payload, Objects.requireNonNull(metadata, "metadata"));
  }
}
