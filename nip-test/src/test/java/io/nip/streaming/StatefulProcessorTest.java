package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import io.nip.event.Event;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSpec;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.NipClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stateful facade's processing rounds, state, TTL, errors and backends, through the test
 * driver. The build runs this suite in every driver mode (plain, restored between records, three
 * keyed tasks): results are compared per key, whose order every mode keeps.
 */
class StatefulProcessorTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /** A visit of a user; its event time is {@code T0 + second}. */
  public record Visit(String eventId, String user, String eventType, Instant eventTime) implements Event {
    static Visit of(String id, String user, int second) {
      return new Visit(id, user, "view", T0.plusSeconds(second));
    }
  }

  /** "user [ids] total=N": the round's event ids and the running total kept in state. */
  private static StatefulProcessor<Visit, String> visits(CollectingSink<String> out) {
    return StatefulProcessor.<Visit, String>named("visits").eventType(Visit.class).maxEventsPerRound(3)
        .aggregate(Visit::user, (user, events, state) -> {
          long total = ((Number) state.getOrDefault("total", 0)).longValue() + events.size();
          state.put("total", total);
          return user + " " + events.stream().map(Visit::eventId).collect(Collectors.toList()) + " total=" + total;
        })
        .sink(out);
  }

  private static Pipeline pipeline(StatefulProcessor<Visit, String> p) {
    return pipeline(p, PipelineConfig.defaults());
  }

  private static Pipeline pipeline(StatefulProcessor<Visit, String> p, PipelineConfig config) {
    return p.pipeline(Sources.collection("in", List.<Visit>of()), config);
  }

  /** Results grouped by user, in order: the one order every driver mode keeps. */
  private static Map<String, List<String>> perUser(List<String> results) {
    Map<String, List<String>> m = new TreeMap<>();
    for (String r : results) {
      m.computeIfAbsent(r.substring(0, r.indexOf(' ')), k -> new ArrayList<>()).add(r);
    }
    return m;
  }

  @Test
  void a_round_closes_at_its_cap_at_its_flush_deadline_or_at_the_end_of_input() {
    CollectingSink<String> out = Sinks.collecting("out");
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(visits(out)), T0)) {
      // Given two events of a and one of b: both rounds are open, nothing is emitted
      d.<Visit>input("in").pipeAll(Visit.of("a1", "a", 1), Visit.of("a2", "a", 2), Visit.of("b1", "b", 3));
      assertThat(d.output(out)).isEmpty();

      // When a's third event arrives, a's round closes at once (the cap is 3)
      d.<Visit>input("in").pipe(Visit.of("a3", "a", 4));
      assertThat(d.output(out)).containsExactly("a [a1, a2, a3] total=3");

      // When the wall clock reaches b's deadline (1 s after b1 arrived), b's round closes
      d.advanceWallClockTime(Duration.ofMillis(999));
      assertThat(d.output(out)).hasSize(1);
      d.advanceWallClockTime(Duration.ofMillis(1));
      assertThat(d.output(out)).containsExactly("a [a1, a2, a3] total=3", "b [b1] total=1");

      // When new rounds are open at the end of input, they close then
      d.<Visit>input("in").pipeAll(Visit.of("a4", "a", 5), Visit.of("b2", "b", 6), Visit.of("a5", "a", 7));
      d.endAllInputs();
      assertThat(perUser(d.output(out))).isEqualTo(Map.of(
          "a", List.of("a [a1, a2, a3] total=3", "a [a4, a5] total=5"),
          "b", List.of("b [b1] total=1", "b [b2] total=2")));
    }
  }

  @Test
  void the_open_round_lives_in_keyed_state_and_never_holds_more_than_the_cap_minus_one() {
    CollectingSink<String> out = Sinks.collecting("out");
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(visits(out)), T0)) {
      d.<Visit>input("in").pipeAll(Visit.of("a1", "a", 1), Visit.of("a2", "a", 2));
      assertThat(d.state("visits", "round-events")).hasSize(2);
      assertThat(d.state("visits", "round")).hasSize(1);
      assertThat(d.state("visits", "state")).isEmpty();

      d.<Visit>input("in").pipe(Visit.of("a3", "a", 3));
      assertThat(d.state("visits", "round-events")).isEmpty();
      assertThat(d.state("visits", "round")).isEmpty();
      assertThat(d.state("visits", "state")).containsEntry("a", Map.of("total", 3));
    }
  }

  @Test
  void results_carry_the_largest_event_time_of_their_round() {
    // Given the processor applied to a stream, followed by a sink that records each result's event time
    List<Instant> times = Collections.synchronizedList(new ArrayList<>());
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("t");
    visits(out).applyTo(pipeline.from(Sources.collection("in", List.<Visit>of())))
        .to(new Sink<String>() {
          @Override
          public String name() {
            return "times";
          }

          @Override
          public SinkWriter<String> createWriter(SinkContext context) {
            return new SinkWriter<>() {
              @Override
              public void write(String value) {
                times.add(context.currentTimestamp());
              }

              @Override
              public void close() {}
            };
          }
        });
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline, T0)) {
      // When a round closes by its cap (events at 9 s, 4 s, 6 s) and one by its deadline (2 s)
      d.<Visit>input("in").pipeAll(Visit.of("a1", "a", 9), Visit.of("a2", "a", 4), Visit.of("a3", "a", 6));
      d.<Visit>input("in").pipe(Visit.of("b1", "b", 2));
      d.advanceWallClockTime(Duration.ofSeconds(1));

      // Then each result has the largest event time of its round
      assertThat(d.output(out)).containsExactly("a [a1, a2, a3] total=3", "b [b1] total=1");
    }
    assertThat(times).containsExactly(T0.plusSeconds(9), T0.plusSeconds(2));
  }

  @Test
  void the_state_lasts_across_rounds_and_expires_its_ttl_after_the_round_that_stored_it() {
    CollectingSink<String> out = Sinks.collecting("out");
    StatefulProcessor<Visit, String> p = visits(out).stateTtl(Duration.ofSeconds(10));
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(p), T0)) {
      // Given a round stored at T0+1s (it expires at T0+11s)
      d.<Visit>input("in").pipe(Visit.of("a1", "a", 1));
      d.advanceWallClockTime(Duration.ofSeconds(1));
      // When the next round closes at T0+7s, within the TTL: the total goes on, the TTL restarts
      d.advanceWallClockTime(Duration.ofSeconds(5));
      d.<Visit>input("in").pipe(Visit.of("a2", "a", 2));
      d.advanceWallClockTime(Duration.ofSeconds(1));
      // When more than 10 s pass without a round, the state is gone and the total starts again
      d.advanceWallClockTime(Duration.ofSeconds(11));
      assertThat(d.state("visits", "state")).isEmpty();
      d.<Visit>input("in").pipe(Visit.of("a3", "a", 3));
      d.advanceWallClockTime(Duration.ofSeconds(1));

      assertThat(d.output(out)).containsExactly("a [a1] total=1", "a [a2] total=2", "a [a3] total=1");
    }
  }

  @Test
  void a_round_whose_function_fails_is_retried_whole_under_retry() {
    CollectingSink<String> out = Sinks.collecting("out");
    AtomicInteger calls = new AtomicInteger();
    StatefulProcessor<Visit, String> p = StatefulProcessor.<Visit, String>named("visits").eventType(Visit.class)
        .maxEventsPerRound(2)
        .aggregate(Visit::user, (user, events, state) -> {
          long total = ((Number) state.getOrDefault("total", 0)).longValue() + events.size();
          state.put("total", total);
          if (calls.incrementAndGet() % 2 == 1) {
            throw new IllegalStateException("flaky");
          }
          return user + " " + events.stream().map(Visit::eventId).collect(Collectors.toList()) + " total=" + total;
        })
        .sink(out);
    PipelineConfig cfg = PipelineConfig.builder().errorPolicy(ErrorPolicy.retry(1, Duration.ZERO)).build();
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(p, cfg), T0)) {
      // a round closed by its cap, then one closed by its deadline: each fails once, then succeeds
      d.<Visit>input("in").pipeAll(Visit.of("a1", "a", 1), Visit.of("a2", "a", 2), Visit.of("a3", "a", 3));
      d.advanceWallClockTime(Duration.ofSeconds(1));

      assertThat(d.output(out)).containsExactly("a [a1, a2] total=2", "a [a3] total=3");
      assertThat(calls).hasValue(4);
    }
  }

  @Test
  void a_round_whose_function_fails_is_dropped_whole_under_skip_and_the_state_is_unchanged() {
    CollectingSink<String> out = Sinks.collecting("out");
    StatefulProcessor<Visit, String> p = StatefulProcessor.<Visit, String>named("visits").eventType(Visit.class)
        .aggregate(Visit::user, (user, events, state) -> {
          long total = ((Number) state.getOrDefault("total", 0)).longValue() + events.size();
          state.put("total", total);
          if (events.stream().anyMatch(e -> e.eventId().startsWith("poison"))) {
            throw new IllegalArgumentException("poison in " + events);
          }
          return user + " " + events.stream().map(Visit::eventId).collect(Collectors.toList()) + " total=" + total;
        })
        .sink(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(p), T0)) {
      d.<Visit>input("in").pipe(Visit.of("a1", "a", 1));
      d.advanceWallClockTime(Duration.ofSeconds(1));
      d.<Visit>input("in").pipeAll(Visit.of("poison", "a", 2), Visit.of("a2", "a", 3));
      d.advanceWallClockTime(Duration.ofSeconds(1));
      d.<Visit>input("in").pipe(Visit.of("a3", "a", 4));
      d.endAllInputs();

      assertThat(d.output(out)).containsExactly("a [a1] total=1", "a [a3] total=2");
    }
  }

  @Test
  void a_state_value_that_is_not_json_fails_the_round_and_leaves_the_state_as_it_was() {
    CollectingSink<String> out = Sinks.collecting("out");
    StatefulProcessor<Visit, String> p = StatefulProcessor.<Visit, String>named("visits").eventType(Visit.class)
        .maxEventsPerRound(1)
        .aggregate(Visit::user, (user, events, state) -> {
          state.put("last", events.get(0).eventId());
          if (events.get(0).eventId().equals("odd")) {
            state.put("thing", new Object()); // Jackson cannot write a bare Object
          }
          return user + " " + state.get("last");
        })
        .sink(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(p), T0)) {
      d.<Visit>input("in").pipeAll(Visit.of("a1", "a", 1), Visit.of("odd", "a", 2));
      assertThat(d.output(out)).containsExactly("a a1");
      assertThat(d.state("visits", "state")).containsEntry("a", Map.of("last", "a1"));
    }
  }

  @Test
  void open_rounds_survive_a_restart_from_a_checkpoint_without_losing_or_doubling_an_event(@TempDir Path dir) {
    CheckpointStorage storage = CheckpointStorage.localDirectory(dir);
    // Given a run that checkpointed with open rounds (a: a1 a2, b: b1), then crashed after a3
    CollectingSink<String> first = Sinks.collecting("out");
    try (PipelineTestDriver d = PipelineTestDriver.withCheckpoints(pipeline(visits(first)), T0, storage)) {
      d.<Visit>input("in").pipeAll(Visit.of("a1", "a", 1), Visit.of("a2", "a", 2), Visit.of("b1", "b", 3));
      d.checkpoint();
      d.<Visit>input("in").pipe(Visit.of("a3", "a", 4));
      assertThat(d.output(first)).containsExactly("a [a1, a2, a3] total=3");
    }

    // When a new run restores and the input is read again from the checkpoint's position
    CollectingSink<String> second = Sinks.collecting("out");
    try (PipelineTestDriver d = PipelineTestDriver.withCheckpoints(pipeline(visits(second)), T0, storage)) {
      d.<Visit>input("in").pipeAll(Visit.of("a1", "a", 1), Visit.of("a2", "a", 2), Visit.of("b1", "b", 3),
          Visit.of("a3", "a", 4), Visit.of("a4", "a", 5));
      d.endAllInputs();

      // Then a3 closes the restored round again (output after a checkpoint may repeat), and the
      // state counts every event once
      assertThat(d.output(second)).containsExactly("a [a1, a2, a3] total=3", "b [b1] total=1", "a [a4] total=4");
    }
  }

  @Test
  void state_stores_are_created_through_the_chosen_backend() {
    List<String> created = Collections.synchronizedList(new ArrayList<>());
    StateBackend recording = new StateBackend() {
      @Override
      public String name() {
        return "recording";
      }

      @Override
      public <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
        created.add(scope.operator() + "/" + spec.name());
        return StateBackend.inMemory().createKeyValueStore(spec, scope, clock);
      }
    };
    CollectingSink<String> out = Sinks.collecting("out");
    StatefulProcessor<Visit, String> p = visits(out).stateStore(recording);
    Pipeline pipeline = pipeline(p);
    assertThat(pipeline.config().stateBackend()).isSameAs(recording);
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline, T0)) {
      d.<Visit>input("in").pipeAll(Visit.of("a1", "a", 1), Visit.of("a2", "a", 2), Visit.of("a3", "a", 3));
      assertThat(d.output(out)).containsExactly("a [a1, a2, a3] total=3");
    }
    assertThat(created).contains("visits/round", "visits/round-events", "visits/state");
    assertThat(visits(Sinks.collecting("o")).stateStore("memory").stateBackend()).contains(StateBackend.inMemory());
  }

  @Test
  void backends_are_chosen_by_the_tutorial_names_and_missing_ones_name_their_module() {
    assertThatThrownBy(() -> visits(Sinks.collecting("o")).stateStore("rocksdb"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'rocksdb'")
        .hasMessageContaining("rocksdb needs nip-state-rocksdb");
    assertThatThrownBy(() -> visits(Sinks.collecting("o")).stateStore("redis"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("redis needs nip-state-redis");
    assertThatThrownBy(() -> visits(Sinks.collecting("o")).stateStore("cassandra"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("StatefulProcessor 'visits' stateStore")
        .hasMessageContaining("not supported yet");
    StateBackend other = new StateBackend() {
      @Override
      public String name() {
        return "other";
      }

      @Override
      public <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
        throw new UnsupportedOperationException();
      }
    };
    StatefulProcessor<Visit, String> p = visits(Sinks.collecting("o")).stateStore("memory");
    assertThatThrownBy(() -> pipeline(p, PipelineConfig.builder().stateBackend(other).build()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("conflicts with the configuration's state backend 'other'");
  }

  @Test
  void bad_or_missing_settings_are_refused_with_the_setting_named() {
    assertThatThrownBy(() -> StatefulProcessor.named("aggregation processor"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("StatefulProcessor name");
    StatefulProcessor<Visit, String> p = StatefulProcessor.named("p");
    assertThatThrownBy(() -> p.maxEventsPerRound(0)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("StatefulProcessor 'p' maxEventsPerRound").hasMessageContaining("but was 0");
    assertThatThrownBy(() -> p.flushInterval(Duration.ZERO)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("flushInterval");
    assertThatThrownBy(() -> p.stateTtl(Duration.ofSeconds(-1))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("stateTtl");
    Pipeline pl = Pipeline.named("t");
    assertThatThrownBy(() -> p.applyTo(pl.from(Sources.collection("in", List.<Visit>of()))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("no aggregation was set");
    p.aggregate(Visit::user, (u, e, s) -> u);
    assertThatThrownBy(() -> p.aggregate(Visit::user, (u, e, s) -> u)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("may be set once");
    assertThatThrownBy(() -> p.applyTo(pl.from(Sources.collection("in2", List.<Visit>of()))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("eventType(MyEvent.class)");
    p.eventType(Visit.class);
    assertThatThrownBy(() -> p.start(Sources.collection("in", List.<Visit>of())))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("no sink was added");
  }

  @Test
  void a_real_bounded_run_on_worker_threads_counts_every_event_once() {
    // Given 5,000 visits of 7 users in 3 partitions, rounds of at most 50 events
    List<Visit> input = IntStream.range(0, 5_000)
        .mapToObj(i -> Visit.of("e" + i, "u" + (i % 7), i)).collect(Collectors.toList());
    Map<String, Long> lastTotal = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicInteger seen = new AtomicInteger();
    StatefulProcessor<Visit, Map<String, Object>> p = StatefulProcessor.<Visit, Map<String, Object>>named("real")
        .eventType(Visit.class).maxEventsPerRound(50)
        .aggregate(Visit::user, (user, events, state) -> {
          long total = ((Number) state.getOrDefault("total", 0)).longValue() + events.size();
          state.put("total", total);
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("user", user);
          r.put("recent", events.size());
          r.put("total", total);
          return r;
        })
        .sink(r -> {
          seen.addAndGet((Integer) r.get("recent"));
          lastTotal.merge((String) r.get("user"), (Long) r.get("total"), Math::max);
        });

    // When it runs to the end of its bounded input
    PipelineHandle h = p.start(Sources.collection("in", input, 3), PipelineConfig.builder().threads(3).build());

    // Then every event was in exactly one round, and each user's total is its event count
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(seen).hasValue(5_000);
    Map<String, Long> expected = new TreeMap<>();
    input.forEach(v -> expected.merge(v.user(), 1L, Long::sum));
    assertThat(new TreeMap<>(lastTotal)).isEqualTo(expected);
  }
}
