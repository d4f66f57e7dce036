package io.nip.event;

import java.time.Instant;

/**
 * The contract of an event: an id for deduplication, an event time, and a type. Java records
 * implement it by naming their components after these methods.
 *
 * <pre>{@code
 * record UserEvent(String eventId, String userId, String eventType, Instant eventTime,
 *                  Map<String, Object> properties) implements Event {}
 * }</pre>
 *
 * <p>When a stream's values are events, their {@link #eventTime()} is the default event-time
 * timestamp of the pipeline.
 */
public interface Event {

  /** @return a unique id of this event, used for deduplication; may be null when absent */
  String eventId();

  /** @return when the event happened */
  Instant eventTime();

  /** @return the kind of event, e.g. {@code "purchase"} */
  String eventType();
}
