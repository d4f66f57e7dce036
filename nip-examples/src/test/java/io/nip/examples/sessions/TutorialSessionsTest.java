package io.nip.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.UserEvent;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.streaming.SessionIds;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tutorial's {@code process_session} and {@code session_aggregate}, run on virtual time. */
class TutorialSessionsTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  private static UserEvent at(String user, String type, long seconds) {
    return new UserEvent(user + "-" + seconds, user, type, T0.plusSeconds(seconds), Map.of());
  }

  /** u1: 0 s, 30 min later exactly (same session), then 30 min + 1 s later (a new one); u2: one event. */
  private static final List<UserEvent> EVENTS = List.of(at("u1", "login", 0), at("u2", "click", 60),
      at("u1", "purchase", 1800), at("u1", "login", 3601));

  private static String id(String user, long seconds) {
    return SessionIds.of(Serdes.string(), user, T0.plusSeconds(seconds));
  }

  @Test
  void process_session_gets_each_sessions_events_and_its_id() {
    CollectingSink<Map<String, Object>> out = Sinks.collecting("out");
    Pipeline p = TutorialSessions.processor().sink(out).pipeline(Sources.collection("in", List.<UserEvent>of()),
        PipelineConfig.builder().maxOutOfOrderness(Duration.ZERO).build());
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0)) {
      TestInput<UserEvent> in = d.input("in");
      EVENTS.forEach(in::pipe);
      in.end();
      assertThat(d.output(out)).filteredOn(m -> m.get("user_id").equals("u1")).containsExactly(
          Map.of("session_id", id("u1", 0), "user_id", "u1", "start_time", "2026-01-17T17:00:00Z",
              "end_time", "2026-01-17T17:30:00Z", "duration_seconds", 1800.0, "event_count", 2,
              "event_types", List.of("login", "purchase")),
          Map.of("session_id", id("u1", 3601), "user_id", "u1", "start_time", "2026-01-17T18:00:01Z",
              "end_time", "2026-01-17T18:00:01Z", "duration_seconds", 0.0, "event_count", 1,
              "event_types", List.of("login")));
      assertThat(d.output(out)).filteredOn(m -> m.get("user_id").equals("u2")).hasSize(1);
    }
  }

  @Test
  void session_aggregate_gets_each_sessions_events_and_metadata() {
    CollectingSink<Map<String, Object>> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("tutorial", PipelineConfig.builder().maxOutOfOrderness(Duration.ZERO).build());
    TutorialSessions.sessionAggregate(p.from(Sources.collection("in", List.<UserEvent>of())).keyBy(UserEvent::userId))
        .to(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0)) {
      TestInput<UserEvent> in = d.input("in");
      EVENTS.forEach(in::pipe);
      in.end();
      assertThat(d.output(out)).filteredOn(m -> m.get("user_id").equals("u1")).containsExactly(
          Map.of("user_id", "u1", "session_id", id("u1", 0), "duration_seconds", 1800.0, "event_count", 2,
              "session_start", "2026-01-17T17:00:00Z", "session_end", "2026-01-17T17:30:00Z"),
          Map.of("user_id", "u1", "session_id", id("u1", 3601), "duration_seconds", 0.0, "event_count", 1,
              "session_start", "2026-01-17T18:00:01Z", "session_end", "2026-01-17T18:00:01Z"));
    }
  }
}
