package io.nip.examples.sessions;

import io.nip.examples.UserEvent;
import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Stream;
import io.nip.serde.Serdes;
import io.nip.source.Sources;
import io.nip.streaming.SessionEvents;
import io.nip.streaming.SessionIds;
import io.nip.streaming.StatefulProcessor;
import io.nip.window.SessionWindow;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The tutorial's two session snippets, ported: {@code @processor.sessionize(session_timeout=1800,
 * key_func=lambda e: e.user_id) async def process_session(user_id, session_events, session_id)} and
 * {@code SessionWindow(gap_seconds=1800)} with {@code @session.process(key_func=..) async def
 * session_aggregate(user_id, session_events, session_metadata)}. Both close a session after more than
 * 30 minutes of inactivity and return the tutorial's dicts as maps.
 *
 * <pre>{@code
 * TutorialSessions.processor().sink(results::add).start(source);
 * TutorialSessions.sessionAggregate(events.keyBy(UserEvent::userId)).to(Sinks.stdout("sessions"));
 * }</pre>
 */
public final class TutorialSessions {
  /** The tutorial's {@code session_timeout=1800} and {@code gap_seconds=1800}. */
  public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(1800);

  private TutorialSessions() {}

  /**
   * Runs {@link #processor()} over a few events of two users, on the pipeline clock, and prints
   * each session's dict.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    Instant t0 = Instant.parse("2026-01-17T17:00:00Z");
    List<UserEvent> events = List.of(new UserEvent("e1", "u1", "login", t0, Map.of()),
        new UserEvent("e2", "u2", "click", t0.plusSeconds(60), Map.of()),
        new UserEvent("e3", "u1", "purchase", t0.plus(SESSION_TIMEOUT), Map.of()),
        new UserEvent("e4", "u1", "login", t0.plus(SESSION_TIMEOUT).plus(SESSION_TIMEOUT).plusSeconds(1), Map.of()));
    processor().sink(System.out::println).start(Sources.collection("events", events)).awaitTermination();
  }

  /**
   * {@code @processor.sessionize(session_timeout=1800, key_func=lambda e: e.user_id)} over
   * {@link #processSession}; add a sink and start it, or apply it to a stream.
   *
   * @return the processor, named {@code session_processor}, user ids as keys
   */
  public static StatefulProcessor<UserEvent, Map<String, Object>> processor() {
    return StatefulProcessor.<UserEvent, Map<String, Object>>named("session_processor").eventType(UserEvent.class)
        .sessionize(SESSION_TIMEOUT, UserEvent::userId, Serdes.string(), TutorialSessions::processSession);
  }

  /**
   * The tutorial's {@code process_session}.
   *
   * @param userId the user
   * @param sessionEvents the session's events in event-time order
   * @param sessionId the session's id
   * @return session_id, user_id, start_time, end_time, duration_seconds, event_count and the
   *     distinct event_types (sorted, where Python's set has no order)
   */
  public static Map<String, Object> processSession(String userId, SessionEvents<UserEvent> sessionEvents,
      String sessionId) {
    Instant start = sessionEvents.stream().map(UserEvent::eventTime).min(Instant::compareTo).orElseThrow();
    Instant end = sessionEvents.stream().map(UserEvent::eventTime).max(Instant::compareTo).orElseThrow();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("session_id", sessionId);
    m.put("user_id", userId);
    m.put("start_time", start.toString());
    m.put("end_time", end.toString());
    m.put("duration_seconds", Duration.between(start, end).toMillis() / 1000.0);
    m.put("event_count", sessionEvents.size());
    m.put("event_types", List.copyOf(new TreeSet<>(sessionEvents.stream().map(UserEvent::eventType).toList())));
    return m;
  }

  /**
   * {@code SessionWindow(gap_seconds=1800)} with {@code session_aggregate}: the window hands the
   * session's events over as a list (the tutorial's form, which holds every event of an open
   * session; {@link #processor()} bounds it).
   *
   * @param byUser events keyed by user
   * @return one map per session: user_id, session_id, duration_seconds, event_count, session_start, session_end
   */
  public static Stream<Map<String, Object>> sessionAggregate(KeyedStream<String, UserEvent> byUser) {
    return byUser.window(SessionWindow.withInactivityGap(SESSION_TIMEOUT))
        .process((String user, io.nip.window.Window w, List<UserEvent> events) -> sessionAggregate(user, events,
            Map.of("session_id", SessionIds.of(Serdes.string(), user, w.start()))))
        .map(WindowResult::value);
  }

  /**
   * The tutorial's {@code session_aggregate}.
   *
   * @param userId the user
   * @param sessionEvents the session's events
   * @param sessionMetadata holds {@code session_id}
   * @return user_id, session_id, duration_seconds, event_count, session_start, session_end
   */
  public static Map<String, Object> sessionAggregate(String userId, List<UserEvent> sessionEvents,
      Map<String, Object> sessionMetadata) {
    Instant start = sessionEvents.stream().map(UserEvent::eventTime).min(Instant::compareTo).orElseThrow();
    Instant end = sessionEvents.stream().map(UserEvent::eventTime).max(Instant::compareTo).orElseThrow();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user_id", userId);
    m.put("session_id", sessionMetadata.get("session_id"));
    m.put("duration_seconds", Duration.between(start, end).toMillis() / 1000.0);
    m.put("event_count", sessionEvents.size());
    m.put("session_start", start.toString());
    m.put("session_end", end.toString());
    return m;
  }
}
