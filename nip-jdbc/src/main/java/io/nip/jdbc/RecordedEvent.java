package io.nip.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.nip.errors.SerializationException;
import io.nip.serde.Serdes;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An event as an {@link EventStore} holds it: the aggregate it belongs to, its version there (1 for
 * the aggregate's first event, then 2, 3, ... without gaps), its type, payload and metadata as
 * JSON, and when the database recorded it.
 *
 * <pre>{@code
 * for (RecordedEvent e : store.getEvents("user_0", 0)) {
 *   PageView view = e.payloadAs(PageView.class);
 * }
 * }</pre>
 *
 * @param aggregateName the store's aggregate name, e.g. {@code "user_session"}
 * @param aggregateId the aggregate, e.g. a user id
 * @param version the event's version in its aggregate, from 1
 * @param eventType the kind of event
 * @param payload the event's data as JSON
 * @param metadata the metadata as JSON reads it back (numbers as Integer, Long or Double)
 * @param recordedAt the database's transaction time of the append
 */
public record RecordedEvent(String aggregateName, String aggregateId, long version, String eventType,
    JsonNode payload, Map<String, Object> metadata, Instant recordedAt) {

  /** Copies the metadata. */
  public RecordedEvent {
    Objects.requireNonNull(payload, "payload");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /**
   * Reads the payload as a type, with the mapper of {@link Serdes#objectMapper()}.
   *
   * @param type e.g. a record with the payload's fields
   * @param <T> the type
   * @return the payload
   * @throws SerializationException when the payload does not fit the type
   */
  public <T> T payloadAs(Class<T> type) {
    try {
      return Serdes.objectMapper().treeToValue(payload, type);
    } catch (Exception e) {
      throw new SerializationException("event " + aggregateName + "/" + aggregateId + " version " + version
          + " (" + eventType + "): payload is not a " + type.getName() + ": " + e.getMessage(), null, e);
    }
  }

  /**
   * The event as a map: {@code event_type}, {@code version}, {@code payload} (a map) and
   * {@code recorded_at} (ISO-8601) — the tutorial's {@code event.__dict__}.
   *
   * @return an unmodifiable map
   */
  public Map<String, Object> toMap() {
    @SuppressWarnings("unchecked")
    Map<String, Object> data = Serdes.objectMapper().convertValue(payload, Map.class);
    return Map.of("event_type", eventType, "version", version, "payload", data == null ? Map.of() : data,
        "recorded_at", recordedAt.toString());
  }
}
