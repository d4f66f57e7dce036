package io.nip.streaming;

import java.time.Instant;
import java.util.Objects;

/**
 * An event {@link StatefulProcessor#sessionize} could not count: its session had already closed
 * (more than the allowed lateness after its end), or it would have merged into such a session.
 *
 * @param event the event
 * @param eventTime its event time
 * @param reason why it was not counted, for logs and dead-letter records
 * @param <T> the event type
 */
public record LateEvent<T>(T event, Instant eventTime, String reason) {
  /** Checks the fields. */
  public LateEvent {
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(reason, "reason");
  }
}
