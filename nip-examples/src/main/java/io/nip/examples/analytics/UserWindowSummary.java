package io.nip.examples.analytics;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.IOException;
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
 * @param totalValue sum of their {@code properties.value}, summed exactly as decimals and rounded to
 *     the nearest double once (so it does not depend on the order of the events)
 */
@JsonPropertyOrder({"user_id", "window_start", "window_end", "event_count", "unique_event_types", "total_value"})
public record UserWindowSummary(
    @JsonProperty("user_id") String userId,
    @JsonProperty("window_start") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant windowStart,
    @JsonProperty("window_end") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant windowEnd,
    @JsonProperty("event_count") long eventCount,
    @JsonProperty("unique_event_types") long uniqueEventTypes,
    @JsonProperty("total_value") double totalValue) {

  /**
   * JSON in the exercise's format. Written field by field with a streaming generator (one result per
   * window, so this is on the hot path); read through the shared object mapper.
   */
  public static final Serde<UserWindowSummary> SERDE = new Serde<>() {
    private final Serde<UserWindowSummary> reader = Serdes.json(UserWindowSummary.class);
    /** Windows fire in order of their end, so consecutive results share their bounds' text. */
    private final InstantText startText = new InstantText();
    private final InstantText endText = new InstantText();

    @Override
    public byte[] serialize(UserWindowSummary s) {
      if (s == null) {
        return null;
      }
      ByteArrayBuilder out = new ByteArrayBuilder(192);
      try (JsonGenerator g = Serdes.objectMapper().getFactory().createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("user_id", s.userId());
        g.writeStringField("window_start", startText.of(s.windowStart()));
        g.writeStringField("window_end", endText.of(s.windowEnd()));
        g.writeNumberField("event_count", s.eventCount());
        g.writeNumberField("unique_event_types", s.uniqueEventTypes());
        g.writeNumberField("total_value", s.totalValue());
        g.writeEndObject();
      } catch (IOException e) {
        throw new SerializationException("cannot write a window summary: " + e.getMessage(), null, e);
      }
      return out.toByteArray();
    }

    @Override
    public UserWindowSummary deserialize(byte[] bytes) {
      return reader.deserialize(bytes);
    }
  };

  /**
   * The ISO-8601 text of the last instant formatted, shared by the threads that write results: the
   * pair is replaced as one immutable object, so a reader never sees one instant with the other's
   * text.
   */
  private static final class InstantText {
    private record Last(Instant instant, String text) {}

    private volatile Last last = new Last(Instant.EPOCH, Instant.EPOCH.toString());

    String of(Instant instant) {
      Last l = last;
      if (!l.instant().equals(instant)) {
        l = new Last(instant, instant.toString());
        last = l;
      }
      return l.text();
    }
  }
}
