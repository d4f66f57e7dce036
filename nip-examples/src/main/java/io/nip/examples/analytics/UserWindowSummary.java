package io.nip.examples.analytics;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.time.Instant;

/**
 * The result of exercise 1 for one user and one 5-minute window. As JSON (see {@link #SERDE}):
 * {@code {"user_id":"user123","window_start":"2026-01-17T17:00:00Z","window_end":"2026-01-17T17:05:00Z","event_count":47,"unique_event_types":8,"total_value":1250.0}}
 * — instants in UTC with {@code Z} (fractions of a second only when there are some), the total as
 * a JSON number.
 *
 * <pre>{@code
 * UserWindowSummary s = UserWindowSummary.SERDE.deserialize(record.value());
 * }</pre>
 *
 * @param userId the user
 * @param windowStart the window's inclusive start
 * @param windowEnd the window's exclusive end
 * @param eventCount events of the user in the window
 * @param uniqueEventTypes distinct {@code event_type}s among them
 * @param totalValue sum of their {@code properties.value}
 */
@JsonPropertyOrder({"user_id", "window_start", "window_end", "event_count", "unique_event_types", "total_value"})
public record UserWindowSummary(
    @JsonProperty("user_id") String userId,
    @JsonProperty("window_start") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant windowStart,
    @JsonProperty("window_end") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant windowEnd,
    @JsonProperty("event_count") long eventCount,
    @JsonProperty("unique_event_types") long uniqueEventTypes,
    @JsonProperty("total_value") double totalValue) {

  /** JSON in the exercise's format, through the shared object mapper. */
  public static final Serde<UserWindowSummary> SERDE = Serdes.json(UserWindowSummary.class);
}
