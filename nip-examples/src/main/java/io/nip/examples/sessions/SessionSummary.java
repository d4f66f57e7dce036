package io.nip.examples.sessions;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.nip.errors.SerializationException;
import io.nip.examples.IsoInstant;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The result of exercise 2 for one session. As JSON (see {@link #SERDE}):
 * {@code {"user_id":"u1","session_id":"…","session_start":"2026-01-17T17:00:00Z","session_end":"2026-01-17T17:41:10Z","duration_seconds":2470.0,"event_count":12,"first_event_type":"login","last_event_type":"purchase","journey":["login","page_view",…,"purchase"]}}
 * — start and end are the first and last event times, UTC with {@code Z} (fractions of a second
 * only when there are some).
 *
 * <p>Updates. A late event (within 5 minutes of the session's close) makes the job write the session
 * again under the same {@code session_id}, with {@code "update":true}; when it bridged two sessions,
 * the merged one keeps the earlier session's id and {@code "superseded_session_ids"} lists the ids
 * whose lines it replaces. A consumer keeps the last line per {@code session_id} and drops every
 * superseded id ({@link SessionsReference#finalView}). When a session had more events than the cap,
 * {@code "dropped_events"} says how many are missing from the middle of the journey. These three
 * fields appear only when they say something.
 *
 * @param userId the user
 * @param sessionId stable id of (user, session start), see {@link io.nip.streaming.SessionIds}
 * @param sessionStart first event time
 * @param sessionEnd last event time
 * @param durationSeconds end minus start, in seconds (millisecond precision)
 * @param eventCount events in the session
 * @param firstEventType type of the first event
 * @param lastEventType type of the last event
 * @param journey event types in event-time order (ties: input order)
 * @param update whether this line replaces an earlier line of the same session id
 * @param supersededSessionIds ids of earlier sessions this one absorbed
 * @param droppedEvents events missing from the journey because of the cap
 */
public record SessionSummary(String userId, String sessionId, Instant sessionStart, Instant sessionEnd,
    double durationSeconds, long eventCount, String firstEventType, String lastEventType, List<String> journey,
    boolean update, List<String> supersededSessionIds, long droppedEvents) {

  /** JSON in the exercise's format, written field by field; the optional fields only when set. */
  public static final Serde<SessionSummary> SERDE = new Serde<>() {
    @Override
    public byte[] serialize(SessionSummary s) {
      return s == null ? null : s.toJson();
    }

    @Override
    public SessionSummary deserialize(byte[] bytes) {
      return bytes == null ? null : Serdes.json(Json.class).deserialize(bytes).summary();
    }
  };

  /**
   * Per thread, the buffer a summary is written into before its one copy of the exact size: a worker
   * writes many, and a fresh buffer per summary grew through two or three arrays each time.
   */
  /** Bytes above which a summary's buffer is dropped after use instead of kept for the next one. */
  private static final int MAX_KEPT_BUFFER = 64 * 1024;
  private static final ThreadLocal<ByteArrayBuilder> BUFFERS = ThreadLocal.withInitial(() -> new ByteArrayBuilder(2048));

  /** Checks the fields and copies the lists. */
  public SessionSummary {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(sessionStart, "sessionStart");
    Objects.requireNonNull(sessionEnd, "sessionEnd");
    journey = List.copyOf(journey);
    supersededSessionIds = List.copyOf(supersededSessionIds);
  }

  /** @return this session as its final line would read: no update flag, nothing superseded */
  public SessionSummary asFinal() {
    return new SessionSummary(userId, sessionId, sessionStart, sessionEnd, durationSeconds, eventCount,
        firstEventType, lastEventType, journey, false, List.of(), droppedEvents);
  }

  private byte[] toJson() {
    ByteArrayBuilder out = BUFFERS.get();
    out.reset();
    try (JsonGenerator g = Serdes.objectMapper().getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("user_id", userId);
      g.writeStringField("session_id", sessionId);
      g.writeStringField("session_start", IsoInstant.format(sessionStart));
      g.writeStringField("session_end", IsoInstant.format(sessionEnd));
      g.writeNumberField("duration_seconds", durationSeconds);
      g.writeNumberField("event_count", eventCount);
      g.writeStringField("first_event_type", firstEventType);
      g.writeStringField("last_event_type", lastEventType);
      writeList(g, "journey", journey);
      if (update) {
        g.writeBooleanField("update", true);
      }
      if (!supersededSessionIds.isEmpty()) {
        writeList(g, "superseded_session_ids", supersededSessionIds);
      }
      if (droppedEvents > 0) {
        g.writeNumberField("dropped_events", droppedEvents);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new SerializationException("cannot write a session summary: " + e.getMessage(), null, e);
    }
    byte[] json = out.toByteArray();
    if (json.length > MAX_KEPT_BUFFER) {
      BUFFERS.remove(); // a rare huge summary does not pin its buffer to the thread
    }
    return json;
  }

  private static void writeList(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  /** The JSON shape, for reading. */
  record Json(String userId, String sessionId, String sessionStart, String sessionEnd, double durationSeconds,
      long eventCount, String firstEventType, String lastEventType, List<String> journey, boolean update,
      List<String> supersededSessionIds, long droppedEvents) {
    @JsonCreator
    Json(@JsonProperty("user_id") String userId, @JsonProperty("session_id") String sessionId,
        @JsonProperty("session_start") String sessionStart, @JsonProperty("session_end") String sessionEnd,
        @JsonProperty("duration_seconds") double durationSeconds, @JsonProperty("event_count") long eventCount,
        @JsonProperty("first_event_type") String firstEventType, @JsonProperty("last_event_type") String lastEventType,
        @JsonProperty("journey") List<String> journey, @JsonProperty("update") Boolean update,
        @JsonProperty("superseded_session_ids") List<String> supersededSessionIds,
        @JsonProperty("dropped_events") Long droppedEvents) {
      this(userId, sessionId, sessionStart, sessionEnd, durationSeconds, eventCount, firstEventType, lastEventType,
          journey, update != null && update, supersededSessionIds == null ? List.of() : supersededSessionIds,
          droppedEvents == null ? 0 : droppedEvents);
    }

    SessionSummary summary() {
      return new SessionSummary(userId, sessionId, Instant.parse(sessionStart), Instant.parse(sessionEnd),
          durationSeconds, eventCount, firstEventType, lastEventType, journey == null ? List.of() : journey, update,
          supersededSessionIds, droppedEvents);
    }
  }
}
