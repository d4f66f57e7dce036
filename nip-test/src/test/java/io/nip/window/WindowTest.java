package io.nip.window;

import static io.nip.window.WindowTestSupport.at;
import static io.nip.window.WindowTestSupport.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.pipeline.WindowedStream.WindowOutput;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.window.WindowResult.Firing;
import io.nip.window.WindowTestSupport.Ev;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WindowTest {
  private static final Duration MIN = Duration.ofMinutes(1);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CollectingSink<WindowResult<String, Long>> out = Sinks.collecting("out");
  private final CollectingSink<Ev> late = Sinks.collecting("late");

  private Pipeline countPipeline(WindowAssigner assigner, Duration bound, Duration lateness, EarlyEmit early) {
    Pipeline p = Pipeline.named("w", PipelineConfig.builder().meterRegistry(registry)
        .idleTimeout(Duration.ofSeconds(30)).build());
    var windowed = events(p, bound).keyBy(Ev::key).window(assigner).allowedLateness(lateness);
    if (early != null) {
      windowed = windowed.emitEarly(early);
    }
    WindowOutput<String, Long, Ev> results = windowed.aggregate(Aggregates.count());
    results.to(out);
    results.lateEvents().to(late);
    return p;
  }

  private static String fmt(WindowResult<String, Long> r) {
    return r.key() + "[" + r.start().toEpochMilli() + "," + r.end().toEpochMilli() + ")=" + r.value() + ":" + r.firing();
  }

  private List<String> results(PipelineTestDriver d) {
    return d.output(out).stream().map(WindowTest::fmt).collect(Collectors.toList());
  }

  @Test
  void when_events_hit_window_boundaries_then_end_is_exclusive() {
    Pipeline p = countPipeline(TumblingWindow.of(MIN), Duration.ZERO, Duration.ZERO, null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("a", 59_999)).pipe(new Ev("a", 60_000));
      assertThat(results(d)).containsExactly("a[0,60000)=2:ON_TIME");
      in.end();
      assertThat(results(d)).containsExactly("a[0,60000)=2:ON_TIME", "a[60000,120000)=1:ON_TIME");
    }
  }

  @Test
  void when_events_are_out_of_order_within_the_bound_then_they_count() {
    Pipeline p = countPipeline(TumblingWindow.of(MIN), Duration.ofSeconds(10), Duration.ZERO, null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 1_000)).pipe(new Ev("a", 65_000)).pipe(new Ev("a", 59_000));
      assertThat(results(d)).isEmpty();
      in.pipe(new Ev("a", 70_000));
      assertThat(results(d)).containsExactly("a[0,60000)=2:ON_TIME");
      assertThat(late.values()).isEmpty();
    }
  }

  @Test
  void when_an_event_is_behind_the_watermark_then_it_goes_to_late_events_and_the_metric() {
    Pipeline p = countPipeline(TumblingWindow.of(MIN), Duration.ZERO, Duration.ZERO, null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 1_000)).pipe(new Ev("a", 61_000)).pipe(new Ev("a", 2_000));
      assertThat(results(d)).containsExactly("a[0,60000)=1:ON_TIME");
      assertThat(late.values()).containsExactly(new Ev("a", 2_000));
      assertThat(registry.get("nip.window.late.events").counter().count()).isEqualTo(1.0);
    }
  }

  @Test
  void when_a_late_event_is_within_allowed_lateness_then_an_update_fires_and_after_it_the_event_is_late() {
    Pipeline p = countPipeline(TumblingWindow.of(MIN), Duration.ZERO, Duration.ofSeconds(30), null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 1_000)).pipe(new Ev("a", 61_000));
      assertThat(results(d)).containsExactly("a[0,60000)=1:ON_TIME");
      in.pipe(new Ev("a", 2_000));
      assertThat(results(d)).containsExactly("a[0,60000)=1:ON_TIME", "a[0,60000)=2:LATE_UPDATE");
      in.pipe(new Ev("a", 95_000)).pipe(new Ev("a", 3_000));
      assertThat(late.values()).containsExactly(new Ev("a", 3_000));
      assertThat(results(d)).hasSize(2);
    }
  }

  @Test
  void when_emit_early_per_update_then_speculative_results_precede_the_final_one() {
    Pipeline p = countPipeline(TumblingWindow.of(MIN), Duration.ZERO, Duration.ZERO, EarlyEmit.perUpdate());
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      d.<Ev>input("in").pipe(new Ev("a", 1_000)).pipe(new Ev("a", 2_000)).pipe(new Ev("b", 60_000));
      // per key, speculative results come first and the final one follows (keys may interleave)
      assertThat(results(d)).filteredOn(r -> r.startsWith("a"))
          .containsExactly("a[0,60000)=1:EARLY", "a[0,60000)=2:EARLY", "a[0,60000)=2:ON_TIME");
      assertThat(results(d)).filteredOn(r -> r.startsWith("b")).containsExactly("b[60000,120000)=1:EARLY");
      assertThat(d.output(out).get(0).isSpeculative()).isTrue();
    }
  }

  @Test
  void when_emit_early_every_interval_then_changed_windows_emit_on_the_processing_clock() {
    Pipeline p = countPipeline(TumblingWindow.of(Duration.ofHours(1)), Duration.ZERO, Duration.ZERO,
        EarlyEmit.every(Duration.ofSeconds(10)));
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 1_000)).pipe(new Ev("a", 2_000));
      assertThat(results(d)).isEmpty();
      d.advanceWallClockTime(Duration.ofSeconds(10));
      assertThat(results(d)).containsExactly("a[0,3600000)=2:EARLY");
      d.advanceWallClockTime(Duration.ofSeconds(10));
      assertThat(results(d)).hasSize(1);
      in.end();
      assertThat(results(d)).containsExactly("a[0,3600000)=2:EARLY", "a[0,3600000)=2:ON_TIME");
    }
  }

  @Test
  void when_a_partition_goes_idle_then_the_idle_timeout_still_closes_its_windows() {
    // Given a window held open only by the 5 s out-of-orderness bound (watermark 56 s)
    Pipeline p = countPipeline(TumblingWindow.of(MIN), Duration.ofSeconds(5), Duration.ZERO, null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      d.<Ev>input("in").pipe(new Ev("a", 10_000)).pipe(new Ev("a", 61_000));
      d.advanceWallClockTime(Duration.ofSeconds(29));
      assertThat(results(d)).isEmpty();
      // When the partition stays silent for the idle timeout
      d.advanceWallClockTime(Duration.ofSeconds(1));
      // Then its watermark reaches its largest event time: the window closes, the next one stays open
      assertThat(results(d)).containsExactly("a[0,60000)=1:ON_TIME");
      d.advanceWallClockTime(Duration.ofHours(1));
      assertThat(results(d)).containsExactly("a[0,60000)=1:ON_TIME");
    }
  }

  @Test
  void when_sliding_then_each_event_is_in_size_over_slide_windows() {
    Pipeline p = countPipeline(SlidingWindow.of(Duration.ofMinutes(3), MIN), Duration.ZERO, Duration.ZERO, null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 130_000));
      in.end();
      assertThat(results(d)).containsExactly("a[0,180000)=1:ON_TIME", "a[60000,240000)=1:ON_TIME",
          "a[120000,300000)=1:ON_TIME");
    }
  }

  @Test
  void when_events_bridge_two_sessions_then_they_merge_and_a_gap_splits_them() {
    Pipeline p = countPipeline(SessionWindow.withGap(Duration.ofMinutes(10)), Duration.ofMinutes(30), Duration.ZERO, null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("a", 900_000)).pipe(new Ev("a", 450_000));
      in.pipe(new Ev("a", 2_400_000)).pipe(new Ev("a", 3_000_000));
      in.end();
      assertThat(results(d)).containsExactly("a[0,1500000)=3:ON_TIME", "a[2400000,3000000)=1:ON_TIME",
          "a[3000000,3600000)=1:ON_TIME");
    }
  }

  @Test
  void when_a_session_grows_event_by_event_then_it_fires_once_at_its_last_end() {
    Pipeline p = countPipeline(SessionWindow.withGap(Duration.ofMinutes(10)), Duration.ZERO, Duration.ofMinutes(5), null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      for (int i = 0; i <= 12; i++) {
        in.pipe(new Ev("a", i * 300_000L)); // every 5 minutes up to 60: one session [0, 70 min)
      }
      in.pipe(new Ev("b", 4_199_999)); // the watermark passes every end the session had before its last
      assertThat(results(d)).isEmpty();
      in.pipe(new Ev("b", 4_200_000));
      assertThat(results(d)).containsExactly("a[0,4200000)=13:ON_TIME");
      in.pipe(new Ev("c", 4_500_000)).pipe(new Ev("c", 4_800_000));
      in.end();
      assertThat(results(d)).containsExactly("a[0,4200000)=13:ON_TIME", "b[4199999,4800000)=2:ON_TIME",
          "c[4500000,5400000)=2:ON_TIME");
    }
  }

  @Test
  void when_a_global_window_counts_then_it_fires_every_n_events_and_the_rest_at_the_end() {
    Pipeline p = countPipeline(GlobalWindow.everyCount(2), Duration.ZERO, Duration.ZERO, null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 1)).pipe(new Ev("a", 2)).pipe(new Ev("a", 3));
      assertThat(d.output(out).stream().map(r -> r.value()).collect(Collectors.toList())).containsExactly(2L);
      in.end();
      assertThat(d.output(out).stream().map(r -> r.value()).collect(Collectors.toList())).containsExactly(2L, 1L);
    }
  }

  @Test
  void when_processing_time_windows_then_the_clock_assigns_and_fires_them() {
    Pipeline p = Pipeline.named("pt");
    events(p, Duration.ZERO).keyBy(Ev::key).window(TumblingWindow.of(MIN)).inProcessingTime()
        .aggregate(Aggregates.count()).to(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      d.<Ev>input("in").pipe(new Ev("a", 999_999_999)).pipe(new Ev("a", 5));
      assertThat(results(d)).isEmpty();
      d.advanceWallClockTime(MIN);
      assertThat(results(d)).containsExactly("a[0,60000)=2:ON_TIME");
    }
  }

  @Test
  void the_tutorial_window_aggregator_runs_with_named_aggregates_and_a_combined_result() {
    Pipeline p = Pipeline.named("agg");
    CollectingSink<Map<String, Object>> sink = Sinks.collecting("agg-out");
    WindowAggregator<Ev, Map<String, Object>> aggregator = WindowAggregator.<Ev>create()
        .aggregate("count", Aggregates.count())
        .aggregate("sum", Aggregates.sum(e -> e.type().equals("purchase") ? e.v() : 0))
        .aggregate("avg", Aggregates.avg(Ev::v))
        .aggregate("unique", Aggregates.countDistinct(Ev::type))
        .aggregate("top_n", Aggregates.topN(Ev::type, 1))
        .aggregate("min", Aggregates.min(Ev::v))
        .aggregate("max", Aggregates.max(Ev::v))
        .combined((key, start, end, a) -> Map.of("user_id", key, "window_start", start.toString(),
            "count", a.get("count"), "revenue", a.get("sum"), "avg", a.get("avg"), "unique", a.get("unique"),
            "top", a.get("top_n"), "min", a.get("min"), "max", a.get("max")));
    events(p, Duration.ZERO).keyBy(Ev::key).window(TumblingWindow.of(MIN)).aggregate(aggregator)
        .map(WindowResult::value).to(sink);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("u1", 1_000, 10, "purchase")).pipe(new Ev("u1", 2_000, 30, "click"))
          .pipe(new Ev("u1", 3_000, 20, "purchase"));
      in.end();
      Map<String, Object> r = d.output(sink).get(0);
      assertThat(r).containsEntry("user_id", "u1").containsEntry("count", 3L).containsEntry("revenue", 30.0)
          .containsEntry("avg", 20.0).containsEntry("unique", 2L).containsEntry("min", 10.0).containsEntry("max", 30.0)
          .containsEntry("window_start", "1970-01-01T00:00:00Z");
      assertThat(r.get("top")).isEqualTo(List.of(Map.entry("purchase", 2L)));
    }
  }

  @Test
  void the_list_based_process_function_sees_every_event_of_the_window() {
    Pipeline p = Pipeline.named("list");
    CollectingSink<WindowResult<String, String>> sink = Sinks.collecting("list-out");
    events(p, Duration.ZERO).keyBy(Ev::key).window(TumblingWindow.of(MIN))
        .process((String key, Window w, List<Ev> evs) -> key + ":" + evs.size() + "@" + w.start())
        .to(sink);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      d.<Ev>input("in").pipe(new Ev("a", 1)).pipe(new Ev("a", 2)).end();
      assertThat(d.output(sink).stream().map(r -> r.value()).collect(Collectors.toList())).containsExactly("a:2@1970-01-01T00:00:00Z");
    }
  }

  @Test
  void when_windows_close_then_their_state_is_purged() {
    Pipeline p = countPipeline(TumblingWindow.of(MIN), Duration.ZERO, Duration.ZERO, null);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      for (int i = 0; i < 100; i++) {
        in.pipe(new Ev("k" + i, i * 60_000L));
      }
      assertThat(results(d)).hasSize(99);
      in.end();
      assertThat(results(d)).hasSize(100);
    }
  }
}
