package io.nip.examples.analytics;

import io.nip.event.Event;
import java.time.Instant;
import java.util.Objects;

/**
 * One user event as exercise 1 needs it, read strictly from a JSON line by
 * {@link AnalyticsEventSerde}: who, what, when and the numeric {@code properties.value}.
 *
 * <pre>{@code
 * AnalyticsEvent e = new AnalyticsEvent("e1", "user_7", "purchase", Instant.parse("2026-01-17T17:00:00Z"), 12.5, 0L);
 * }</pre>
 *
 * @param eventId the producer's id, or null when the line had none
 * @param userId the user, never empty
 * @param eventType what happened
 * @param eventTime when it happened (JSON {@code timestamp})
 * @param value {@code properties.value}, 0 when absent or null
 * @param parsedAtNanos {@link System#nanoTime()} when the line was parsed, for the processing
 *     latency metric; not part of the JSON
 */
public record AnalyticsEvent(String eventId, String userId, String eventType, Instant eventTime, double value,
    long parsedAtNanos) implements Event {

  /** Checks the required fields. */
  public AnalyticsEvent {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(eventTime, "eventTime");
  }

  /** @return true for bot traffic: a {@code user_id} starting with {@code bot_} */
  public boolean isBot() {
    return userId.startsWith("bot_");
  }
}
