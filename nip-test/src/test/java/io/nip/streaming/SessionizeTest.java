package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.event.Event;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link StatefulProcessor#sessionize} on virtual time: 30-minute inactivity sessions, event-time
 * order, stable ids, the cap, and late events within 5 minutes of the close (updates, bridging,
 * the side output). Out-of-orderness bound 0: the watermark is the latest event time.
 */
class SessionizeTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  private static final Duration GAP = Duration.ofMinutes(30);
  private final CollectingSink<String> out = Sinks.collecting("out");
  private final CollectingSink<LateEvent<Visit>> late = Sinks.collecting("late");

  /** A visit; its event time is {@code T0 + seconds}. */
  public record Visit(String eventId, String user, String eventType, Instant eventTime) implements Event {
    static Visit of(String id, String user, long seconds) {
      return new Visit(id, user, "view", T0.plusSeconds(seconds));
    }
  }

  private static String id(String user, long seconds) {
    return SessionIds.of(Serdes.json(String.class), user, T0.plusSeconds(seconds));
  }

  /** "sessionId user [event ids] n=count[ dropped=N][ update][ supersedes=[ids]]". */
  private Pipeline sessions(Duration lateness, int cap) {
    StatefulProcessor<Visit, String> p = StatefulProcessor.<Visit, String>named("sessions").eventType(Visit.class)
        .allowedLateness(lateness).maxEventsPerSession(cap).lateEvents(late)
        .sessionize(GAP, Visit::user, (user, events, sessionId) -> sessionId + " " + user + " "
            + events.stream().map(Visit::eventId).collect(Collectors.toList()) + " n=" + events.eventCount()
            + (events.truncated() ? " dropped=" + events.droppedEvents() : "") + (events.isUpdate() ? " update" : "")
            + (events.supersededIds().isEmpty() ? "" : " supersedes=" + events.supersededIds()))
        .sink(out);
    return p.pipeline(Sources.collection("in", List.<Visit>of()),
        PipelineConfig.builder().maxOutOfOrderness(Duration.ZERO).build());
  }

  @Test
  void when_events_are_out_of_order_then_the_function_gets_them_in_event_time_order_ties_in_arrival_order() {
    try (PipelineTestDriver d = PipelineTestDriver.of(sessions(Duration.ofMinutes(5), 100), T0)) {
      TestInput<Visit> in = d.input("in");
      // Given a@60 s, then (within a late-but-accepted window) a@0 s and two events at 30 s
      in.pipeAll(Visit.of("a60", "a", 60), Visit.of("a0", "a", 0), Visit.of("a30x", "a", 30), Visit.of("a30y", "a", 30));
      in.end();
      assertThat(d.output(out)).containsExactly(id("a", 0) + " a [a0, a30x, a30y, a60] n=4");
    }
  }

  @Test
  void when_the_next_event_is_exactly_the_timeout_later_then_it_continues_the_session_and_one_ms_more_starts_another() {
    try (PipelineTestDriver d = PipelineTestDriver.of(sessions(Duration.ZERO, 100), T0)) {
      TestInput<Visit> in = d.input("in");
      in.pipe(Visit.of("a1", "a", 0)).pipe(Visit.of("a2", "a", 1800));
      in.pipe(new Visit("a3", "a", "view", T0.plusSeconds(3600).plusMillis(1)));
      in.end();
      assertThat(d.output(out)).containsExactly(id("a", 0) + " a [a1, a2] n=2",
          SessionIds.of(Serdes.json(String.class), "a", T0.plusSeconds(3600).plusMillis(1)) + " a [a3] n=1");
    }
  }

  @Test
  void when_a_late_event_arrives_within_the_lateness_then_an_update_with_the_same_id_follows_and_after_it_goes_to_the_side_output() {
    try (PipelineTestDriver d = PipelineTestDriver.of(sessions(Duration.ofMinutes(5), 100), T0)) {
      TestInput<Visit> in = d.input("in");
      // Given a's session [0 s] closed at 30 min (+1 ms): the watermark reaches 33 min
      in.pipe(Visit.of("a1", "a", 0)).pipe(Visit.of("b1", "b", 33 * 60));
      assertThat(d.output(out)).containsExactly(id("a", 0) + " a [a1] n=1");
      // When a late event of a's session arrives 3 minutes after the close
      in.pipe(Visit.of("a2", "a", 10));
      // Then the session is emitted again, same id, marked as an update
      assertThat(d.output(out)).containsExactly(id("a", 0) + " a [a1] n=1", id("a", 0) + " a [a1, a2] n=2 update");
      // When the watermark passes close + 5 min, a later event of that session goes to the side output
      in.pipe(Visit.of("b2", "b", 35 * 60 + 11)).pipe(Visit.of("a3", "a", 20));
      assertThat(late.values()).extracting(LateEvent::event).containsExactly(Visit.of("a3", "a", 20));
      assertThat(late.values().get(0).reason()).contains("allowed lateness (PT5M)");
      assertThat(late.values().get(0).eventTime()).isEqualTo(T0.plusSeconds(20));
      in.end();
      assertThat(d.output(out)).filteredOn(r -> r.contains(" a ")).hasSize(2);
    }
  }

  @Test
  void when_a_late_event_bridges_a_closed_session_and_an_open_one_then_the_merged_update_keeps_the_earlier_id() {
    try (PipelineTestDriver d = PipelineTestDriver.of(sessions(Duration.ofMinutes(5), 100), T0)) {
      TestInput<Visit> in = d.input("in");
      // Given a's session at 0 s closed (emitted), and a's next session open from 32 min (watermark 33 min)
      in.pipe(Visit.of("a1", "a", 0)).pipe(Visit.of("a2", "a", 32 * 60)).pipe(Visit.of("b1", "b", 33 * 60));
      assertThat(d.output(out)).containsExactly(id("a", 0) + " a [a1] n=1");
      // When a late event at 20 min arrives, within 30 min of both
      in.pipe(Visit.of("a3", "a", 20 * 60));
      in.end();
      // Then one session holds all three, under the earlier start's id, as an update
      assertThat(d.output(out)).filteredOn(r -> r.contains(" a "))
          .containsExactly(id("a", 0) + " a [a1] n=1", id("a", 0) + " a [a1, a3, a2] n=3 update");
      assertThat(late.values()).isEmpty();
    }
  }

  @Test
  void when_a_late_event_bridges_two_emitted_sessions_then_the_update_keeps_the_earlier_id_and_supersedes_the_later() {
    // Given a lateness longer than the timeout, so two emitted sessions can still be bridged
    try (PipelineTestDriver d = PipelineTestDriver.of(sessions(Duration.ofMinutes(45), 100), T0)) {
      TestInput<Visit> in = d.input("in");
      in.pipe(Visit.of("a1", "a", 0)).pipe(Visit.of("a2", "a", 40 * 60)).pipe(Visit.of("b1", "b", 72 * 60));
      assertThat(d.output(out)).containsExactly(id("a", 0) + " a [a1] n=1", id("a", 2400) + " a [a2] n=1");
      // When a late event at 20 min arrives, within 30 min of both
      in.pipe(Visit.of("a3", "a", 20 * 60));
      // Then one update under the earlier session's id replaces both, naming the superseded id
      assertThat(d.output(out)).containsExactly(id("a", 0) + " a [a1] n=1", id("a", 2400) + " a [a2] n=1",
          id("a", 0) + " a [a1, a3, a2] n=3 update supersedes=[" + id("a", 2400) + "]");
      assertThat(late.values()).isEmpty();
    }
  }

  @Test
  void when_a_late_event_bridges_a_session_closed_beyond_the_lateness_then_it_goes_to_the_side_output() {
    try (PipelineTestDriver d = PipelineTestDriver.of(sessions(Duration.ofMinutes(5), 100), T0)) {
      TestInput<Visit> in = d.input("in");
      // Given a's session at 0 s closed for good (35 min), and a's next session open from 40 min
      in.pipe(Visit.of("a1", "a", 0)).pipe(Visit.of("a2", "a", 40 * 60)).pipe(Visit.of("a4", "a", 68 * 60));
      in.pipe(Visit.of("a3", "a", 20 * 60));
      in.end();
      assertThat(late.values()).extracting(LateEvent::event).containsExactly(Visit.of("a3", "a", 20 * 60));
      assertThat(d.output(out)).containsExactly(id("a", 0) + " a [a1] n=1", id("a", 2400) + " a [a2, a4] n=2");
    }
  }

  @Test
  void when_a_late_event_extends_a_fired_session_past_the_watermark_then_its_next_result_is_still_an_update() {
    try (PipelineTestDriver d = PipelineTestDriver.of(sessions(Duration.ofMinutes(5), 100), T0)) {
      TestInput<Visit> in = d.input("in");
      in.pipe(Visit.of("a1", "a", 0)).pipe(Visit.of("b1", "b", 31 * 60));
      // a@29 min is behind the watermark but extends the session to 59 min: it fires when that passes
      in.pipe(Visit.of("a2", "a", 29 * 60));
      in.end();
      assertThat(d.output(out)).filteredOn(r -> r.contains(" a "))
          .containsExactly(id("a", 0) + " a [a1] n=1", id("a", 0) + " a [a1, a2] n=2 update");
    }
  }

  @Test
  void when_a_session_exceeds_the_cap_then_it_keeps_the_earliest_and_the_last_event_and_counts_the_rest() {
    try (PipelineTestDriver d = PipelineTestDriver.of(sessions(Duration.ZERO, 3), T0)) {
      TestInput<Visit> in = d.input("in");
      for (int i = 1; i <= 6; i++) {
        in.pipe(Visit.of("a" + i, "a", i));
      }
      in.end();
      assertThat(d.output(out)).containsExactly(id("a", 1) + " a [a1, a2, a6] n=6 dropped=3");
    }
  }

  @Test
  void session_ids_are_the_name_based_uuid_of_key_and_start_so_they_are_stable_and_unique_per_start() {
    assertThat(id("a", 0)).isEqualTo(id("a", 0)).isNotEqualTo(id("a", 1)).isNotEqualTo(id("b", 0))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  @Test
  void session_ids_equal_the_platform_name_based_uuid_on_every_thread() throws Exception {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] name = new byte[rnd.nextInt(64)];
      for (int j = 0; j < name.length; j++) {
        name[j] = (byte) rnd.nextInt(256);
      }
      assertThat(SessionIds.nameUuid(name)).isEqualTo(java.util.UUID.nameUUIDFromBytes(name));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Boolean>> same = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        same.add(pool.submit(() -> java.util.stream.IntStream.range(0, 5_000).allMatch(i -> {
          byte[] name = ("user-" + seed + "-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
          return SessionIds.nameUuid(name).equals(java.util.UUID.nameUUIDFromBytes(name));
        })));
      }
      for (java.util.concurrent.Future<Boolean> f : same) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void when_the_settings_are_out_of_range_then_the_error_names_the_setting_and_value() {
    StatefulProcessor<Visit, String> p = StatefulProcessor.named("s");
    assertThatThrownBy(() -> p.maxEventsPerSession(1)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("maxEventsPerSession").hasMessageContaining("1");
    assertThatThrownBy(() -> p.allowedLateness(Duration.ofSeconds(-1))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("allowedLateness");
    assertThatThrownBy(() -> p.sessionize(Duration.ZERO, Visit::user, (k, e, id) -> "x"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("sessionize timeout");
    p.sessionize(GAP, Visit::user, (k, e, id) -> "x");
    assertThatThrownBy(() -> p.aggregate(Visit::user, (k, e, s) -> "x")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("may be set once");
  }
}
