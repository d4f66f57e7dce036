package io.nip.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.Stream;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.streaming.LateEvent;
import io.nip.streaming.SessionIds;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exercise 2's output format, and its late updates on virtual time (watermark = latest event time). */
class SessionsPipelineTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  private final CollectingSink<SessionSummary> out = Sinks.collecting("out");
  private final CollectingSink<LateEvent<JourneyStep>> late = Sinks.collecting("late");

  private static AnalyticsEvent ev(String user, String type, Duration after) {
    return new AnalyticsEvent(null, user, type, T0.plus(after), 0, 0);
  }

  private Pipeline pipeline() {
    Pipeline p = Pipeline.named("sessions");
    Stream<JourneyStep> steps = p.from(Sources.collection("in", List.<AnalyticsEvent>of()),
            WatermarkStrategy.<AnalyticsEvent>boundedOutOfOrderness(Duration.ZERO).withTimestamps(AnalyticsEvent::eventTime))
        .map(e -> new JourneyStep(e.userId(), e.eventType()));
    SessionsPipeline.sessions(steps, SessionsPipeline.DEFAULT_MAX_EVENTS_PER_SESSION, late).to(out);
    return p;
  }

  @Test
  void a_session_is_written_in_the_exercises_json_format() {
    SessionSummary s = new SessionSummary("u1", "id-1", T0, T0.plusSeconds(2470), 2470.0, 3, "login", "purchase",
        List.of("login", "page_view", "purchase"), false, List.of(), 0);
    assertThat(new String(SessionSummary.SERDE.serialize(s), StandardCharsets.UTF_8)).isEqualTo(
        "{\"user_id\":\"u1\",\"session_id\":\"id-1\",\"session_start\":\"2026-01-17T17:00:00Z\","
            + "\"session_end\":\"2026-01-17T17:41:10Z\",\"duration_seconds\":2470.0,\"event_count\":3,"
            + "\"first_event_type\":\"login\",\"last_event_type\":\"purchase\",\"journey\":[\"login\",\"page_view\",\"purchase\"]}");
    assertThat(SessionSummary.SERDE.deserialize(SessionSummary.SERDE.serialize(s))).isEqualTo(s);
    SessionSummary u = new SessionSummary("u1", "id-1", T0, T0.plusMillis(1500), 1.5, 2, "login", "click",
        List.of("login", "click"), true, List.of("id-2"), 7);
    assertThat(new String(SessionSummary.SERDE.serialize(u), StandardCharsets.UTF_8))
        .endsWith(",\"update\":true,\"superseded_session_ids\":[\"id-2\"],\"dropped_events\":7}");
    assertThat(SessionSummary.SERDE.deserialize(SessionSummary.SERDE.serialize(u))).isEqualTo(u);
    // a summary larger than the kept buffer (about 100 KB), then a small one: nothing of the first is left
    byte[] small = SessionSummary.SERDE.serialize(s);
    SessionSummary big = new SessionSummary("u1", "id-3", T0, T0.plusSeconds(60), 60.0, 8_000, "login", "click",
        java.util.Collections.nCopies(8_000, "page_view"), false, List.of(), 0);
    assertThat(SessionSummary.SERDE.deserialize(SessionSummary.SERDE.serialize(big))).isEqualTo(big);
    assertThat(SessionSummary.SERDE.serialize(s)).isEqualTo(small);
  }

  @Test
  void when_a_late_event_comes_within_5_minutes_of_the_close_then_the_session_is_rewritten_as_an_update() {
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(), T0)) {
      TestInput<AnalyticsEvent> in = d.input("in");
      // Given u1's session login@0, purchase@10 min, closed at 40 min; the watermark at 43 min
      in.pipe(ev("u1", "login", Duration.ZERO)).pipe(ev("u1", "purchase", Duration.ofMinutes(10)))
          .pipe(ev("u2", "click", Duration.ofMinutes(43)));
      String id = SessionIds.of(SessionsPipeline.KEY_SERDE, "u1", T0);
      assertThat(d.output(out)).extracting(SessionSummary::sessionId, SessionSummary::journey, SessionSummary::update)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(id, List.of("login", "purchase"), false));
      // When page_view@5 min arrives 3 minutes after the close
      in.pipe(ev("u1", "page_view", Duration.ofMinutes(5)));
      // Then the session is written again: same id, the event in its place, marked as an update
      SessionSummary update = d.output(out).get(1);
      assertThat(update.sessionId()).isEqualTo(id);
      assertThat(update.update()).isTrue();
      assertThat(update.journey()).containsExactly("login", "page_view", "purchase");
      assertThat(update.eventCount()).isEqualTo(3);
      // When the watermark passes close + 5 min, a late event of that session goes to the late events
      in.pipe(ev("u2", "click", Duration.ofMinutes(46))).pipe(ev("u1", "click", Duration.ofMinutes(1)));
      in.end();
      assertThat(late.values()).extracting(e -> e.event().eventType()).containsExactly("click");
      assertThat(d.output(out)).filteredOn(s -> s.userId().equals("u1")).hasSize(2);
    }
  }
}
