package io.nip.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tutorial's event-sourcing snippet ({@code rebuild_session_state} and {@code apply_event}),
 * ported and run against a real PostgreSQL: a user's session state is rebuilt from the
 * {@code user_session} event log, in the tutorial's loop and with the store's replay.
 */
@ExtendWith(PostgresExtension.class)
class RebuildSessionStateTest {

  // tag::rebuild-session-state[]
  /** Rebuild state from event log (the tutorial's {@code rebuild_session_state}). */
  static Map<String, Object> rebuildSessionState(EventStore eventStore, String userId, long fromVersion) {
    List<RecordedEvent> events = eventStore.getEvents(userId, fromVersion);

    Map<String, Object> state = new HashMap<>(Map.of("user_id", userId, "events", new ArrayList<>()));
    for (RecordedEvent event : events) {
      state = applyEvent(state, event);
    }
    return state;
  }

  /** Apply event to state (the tutorial's {@code apply_event}). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> applyEvent(Map<String, Object> state, RecordedEvent event) {
    ((List<Object>) state.get("events")).add(event.toMap());
    // Additional state mutations
    state.merge("page_views", event.eventType().equals("page_view") ? 1 : 0, (a, b) -> (int) a + (int) b);
    return state;
  }
  // end::rebuild-session-state[]

  @Test
  void a_session_is_rebuilt_from_its_event_log(PostgresDatabase db) {
    try (EventStore eventStore = EventStore.builder("user_session").dataSource(db.dataSource()).build()) {
      long version = eventStore.append("user_0", 0, List.of(
          EventData.of("login", Map.of("ip", "10.0.0.7")),
          EventData.of("page_view", Map.of("page", "/home"))));
      eventStore.append("user_0", version, List.of(EventData.of("page_view", Map.of("page", "/cart"))));

      Map<String, Object> session = rebuildSessionState(eventStore, "user_0", 0);
      Replayed<Map<String, Object>> replayed = eventStore.replay("user_0",
          new HashMap<>(Map.of("user_id", "user_0", "events", new ArrayList<>())),
          RebuildSessionStateTest::applyEvent);

      assertThat(session.get("user_id")).isEqualTo("user_0");
      assertThat(session.get("page_views")).isEqualTo(2);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> events = (List<Map<String, Object>>) session.get("events");
      assertThat(events).hasSize(3);
      assertThat(events.get(0)).containsEntry("event_type", "login").containsEntry("version", 1L)
          .containsEntry("payload", Map.of("ip", "10.0.0.7"));
      assertThat(replayed.state()).isEqualTo(session);
      assertThat(replayed.version()).isEqualTo(3);
      // from a version: only the later events
      assertThat((List<?>) rebuildSessionState(eventStore, "user_0", 3).get("events")).hasSize(1);
    }
  }
}
