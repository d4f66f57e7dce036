package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.event.GenericEvent;
import io.nip.examples.StatefulAggregation.UserActivity;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.ManualClock;
import io.nip.time.NipClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tutorial's {@code aggregate_user_events} through the test driver in each of its modes
 * (plain, restored from a checkpoint between records, three keyed tasks), and in a real run.
 */
class StatefulAggregationTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  /** {@code last_seen} comes from this clock, which the tests do not move: rounds are told apart by their counts. */
  private static final ManualClock LAST_SEEN = new ManualClock(Instant.parse("2026-01-17T18:00:00Z"));

  private static UserEvent event(String id, String user, String type, int second) {
    return new UserEvent(id, user, type, T0.plusSeconds(second), Map.of());
  }

  private static Pipeline pipeline(CollectingSink<UserActivity> out) {
    return StatefulAggregation.processor("memory", LAST_SEEN, out)
        .pipeline(Sources.collection("user-events", List.<UserEvent>of()));
  }

  private static UserActivity activity(String user, int recent, long total, List<String> types) {
    return new UserActivity(user, recent, total, types, "2026-01-17T18:00:00Z");
  }

  /** Summaries grouped by user, in order: the one order every driver mode keeps. */
  private static Map<String, List<UserActivity>> perUser(List<UserActivity> all) {
    Map<String, List<UserActivity>> m = new TreeMap<>();
    all.forEach(a -> m.computeIfAbsent(a.userId(), k -> new ArrayList<>()).add(a));
    return m;
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void each_round_is_counted_and_merged_into_the_users_state(DriverMode mode) {
    CollectingSink<UserActivity> out = Sinks.collecting("user_activity");
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(out), T0, mode)) {
      // Given a first round: user_1 clicks and views, user_2 purchases
      d.<UserEvent>input("user-events").pipeAll(event("e1", "user_1", "click", 1),
          event("e2", "user_2", "purchase", 2), event("e3", "user_1", "view", 3));
      d.advanceWallClockTime(Duration.ofSeconds(1));

      // When a second round follows: user_1 clicks twice and signs up
      d.<UserEvent>input("user-events").pipeAll(event("e4", "user_1", "click", 4),
          event("e5", "user_1", "signup", 5), event("e6", "user_1", "click", 6));
      d.advanceWallClockTime(Duration.ofSeconds(1));

      // Then each round reports its own count, the running total and every type seen so far
      assertThat(perUser(d.output(out))).isEqualTo(Map.of(
          "user_1", List.of(activity("user_1", 2, 2, List.of("click", "view")),
              activity("user_1", 3, 5, List.of("click", "signup", "view"))),
          "user_2", List.of(activity("user_2", 1, 1, List.of("purchase")))));
      assertThat(d.state(StatefulAggregation.NAME, "state")).containsEntry("user_1", Map.of(
          "last_seen", "2026-01-17T18:00:00Z", "total_events", 5, "event_types", List.of("click", "signup", "view")));
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void a_users_state_expires_an_hour_after_its_last_round(DriverMode mode) {
    CollectingSink<UserActivity> out = Sinks.collecting("user_activity");
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(out), T0, mode)) {
      d.<UserEvent>input("user-events").pipe(event("e1", "user_1", "click", 1));
      d.advanceWallClockTime(Duration.ofSeconds(1));
      d.advanceWallClockTime(Duration.ofMinutes(59));
      d.<UserEvent>input("user-events").pipe(event("e2", "user_1", "view", 2));
      d.advanceWallClockTime(Duration.ofSeconds(1));
      d.advanceWallClockTime(Duration.ofMinutes(61));
      d.<UserEvent>input("user-events").pipe(event("e3", "user_1", "purchase", 3));
      d.endAllInputs();

      assertThat(d.output(out)).containsExactly(
          activity("user_1", 1, 1, List.of("click")),
          activity("user_1", 1, 2, List.of("click", "view")),
          activity("user_1", 1, 1, List.of("purchase")));
    }
  }

  @Test
  void the_summary_is_written_with_the_tutorials_names() {
    String json = new String(Serdes.json(UserActivity.class)
        .serialize(activity("user_1", 2, 5, List.of("click", "view"))), StandardCharsets.UTF_8);
    assertThat(json).isEqualTo("{\"user_id\":\"user_1\",\"recent_events\":2,\"total_events\":5,"
        + "\"event_types\":[\"click\",\"view\"],\"last_seen\":\"2026-01-17T18:00:00Z\"}");
  }

  @Test
  void a_real_run_over_generated_events_aggregates_every_event_once() {
    // Given 20,000 generated events of 50 users in 2 partitions
    GeneratorSpec spec = GeneratorSpec.builder().events(20_000).keys(50).partitions(2).seed(11).build();
    Map<String, Long> totals = new ConcurrentHashMap<>();
    Map<String, Long> recent = new ConcurrentHashMap<>();
    PipelineHandle h = StatefulAggregation.pipeline(Sources.generator("user-events", spec), NipClock.system(),
        Sinks.forEach("user_activity", a -> {
          totals.merge(a.userId(), a.totalEvents(), Math::max);
          recent.merge(a.userId(), (long) a.recentEvents(), Long::sum);
        })).start();

    // When it runs to the end of its input
    assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then per user the rounds add up to its events, and so does its final total
    Map<String, Long> expected = countPerUser(Sources.generator("user-events", spec));
    assertThat(new TreeMap<>(recent)).isEqualTo(expected);
    assertThat(new TreeMap<>(totals)).isEqualTo(expected);
  }

  /** Reads a generator source to its end, counting events per key. */
  private static Map<String, Long> countPerUser(Source<GenericEvent> source) {
    Map<String, Long> counts = new TreeMap<>();
    SourceContext ctx = new SourceContext("reference", NipClock.system(),
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    for (int p = 0; p < source.partitions(); p++) {
      try (SourceReader<GenericEvent> r = source.createReader(p, ctx, SourcePosition.NONE)) {
        SourceOutput<GenericEvent> count = new SourceOutput<>() {
          @Override
          public void emit(GenericEvent e, Object key, io.nip.event.Headers h, byte[] raw, long offset, long ts) {
            counts.merge(UserEvent.fromGeneric(e).userId(), 1L, Long::sum);
          }

          @Override
          public void emit(GenericEvent e, Object key, io.nip.event.Headers h, byte[] raw, SourcePosition pos, long ts) {
            emit(e, key, h, raw, 0L, ts);
          }

          @Override
          public void fail(byte[] raw, SourcePosition pos, Throwable error) {
            throw new IllegalStateException(error);
          }
        };
        while (r.poll(count, 10_000) != SourceReader.Status.END_OF_INPUT) {
          // bounded: read to the end
        }
      }
    }
    return counts;
  }
}
