package io.nip.window;

import static io.nip.window.WindowTestSupport.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.WindowedStream.WindowOutput;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.window.WindowTestSupport.Ev;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Event time at the edges: a partition that pauses, and timestamps far in the future. */
class EventTimeTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  private final CollectingSink<WindowResult<String, Long>> out = Sinks.collecting("out");
  private final CollectingSink<Ev> late = Sinks.collecting("late");
  private final CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");

  private Pipeline counting(PipelineConfig config, Duration bound, Duration windowSize) {
    Pipeline p = Pipeline.named("time", config);
    WindowOutput<String, Long, Ev> results = events(p, bound).keyBy(Ev::key)
        .window(TumblingWindow.of(windowSize)).aggregate(Aggregates.count());
    results.to(out);
    results.lateEvents().to(late);
    return p;
  }

  private List<String> results(PipelineTestDriver d) {
    return d.output(out).stream().map(r -> r.start() + "/" + r.end() + "=" + r.value()).collect(Collectors.toList());
  }

  @Test
  void when_a_single_partition_resumes_in_order_after_a_long_pause_then_no_record_is_late() {
    // Given one partition, a 5 s bound, a 30 s idle timeout and 5 s windows
    Pipeline p = counting(PipelineConfig.builder().idleTimeout(Duration.ofSeconds(30)).build(), Duration.ofSeconds(5),
        Duration.ofSeconds(5));
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0)) {
      TestInput<Ev> in = d.input("in");
      long t0 = T0.toEpochMilli();
      for (int s = 0; s < 10; s++) {
        in.pipe(new Ev("a", t0 + s * 1_000L));
      }
      assertThat(results(d)).isEmpty();
      // When the wall clock moves 120 s (the partition goes idle), then t0 + 10 ... 49 s arrive in order
      d.advanceWallClockTime(Duration.ofSeconds(120));
      // Then the idle partition closed the window that ended before its latest event (no stall) ...
      assertThat(results(d)).containsExactly(T0 + "/" + T0.plusSeconds(5) + "=5");
      for (int s = 10; s < 50; s++) {
        in.pipe(new Ev("a", t0 + s * 1_000L));
      }
      in.end();
      // ... and no record after the pause went to the late output: ten windows of five
      assertThat(late.values()).isEmpty();
      assertThat(d.output(out)).hasSize(10).allMatch(r -> r.value() == 5L);
    }
  }

  @Test
  void when_an_event_time_is_absurdly_far_ahead_then_it_is_dead_lettered_and_the_watermark_does_not_move() {
    // Given the default bound of one day ahead of the clock, and dead letters collected
    Pipeline p = counting(PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).build(), Duration.ZERO,
        Duration.ofMinutes(1));
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0)) {
      TestInput<Ev> in = d.input("in");
      // When events at T0, at Long.MAX_VALUE ms, in the year 9999, then T0 + 10 s arrive
      in.pipe(new Ev("a", T0.toEpochMilli()));
      in.pipe(new Ev("a", Long.MAX_VALUE));
      in.pipe(new Ev("a", Instant.parse("9999-12-31T00:00:00Z").toEpochMilli()));
      in.pipe(new Ev("a", T0.plusSeconds(10).toEpochMilli()));
      // Then the two absurd ones are dead letters naming their time and the bound ...
      assertThat(d.<DeadLetter>output(dlq)).extracting(DeadLetter::errorMessage).satisfiesExactly(
          m -> assertThat(m).contains("event time " + Instant.ofEpochMilli(Long.MAX_VALUE), "maxEventTimeAhead PT24H"),
          m -> assertThat(m).contains("event time 9999-12-31T00:00:00Z", "maxEventTimeAhead PT24H"));
      assertThat(d.<DeadLetter>output(dlq).get(1).eventTime()).isEqualTo(Instant.parse("9999-12-31T00:00:00Z"));
      // ... the watermark did not move, so the later event still counts
      assertThat(results(d)).isEmpty();
      in.end();
      assertThat(results(d)).containsExactly(T0 + "/" + T0.plusSeconds(60) + "=2");
      assertThat(late.values()).isEmpty();
    }
  }

  @Test
  void when_an_event_time_is_within_the_bound_ahead_of_the_clock_then_it_counts() {
    // Given a bound of one hour
    Pipeline p = counting(PipelineConfig.builder().maxEventTimeAhead(Duration.ofHours(1))
        .errorPolicy(ErrorPolicy.deadLetter(dlq)).build(), Duration.ZERO, Duration.ofMinutes(1));
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0)) {
      // When events 59 min and 61 min ahead of the clock arrive
      d.<Ev>input("in").pipe(new Ev("a", T0.plusSeconds(59 * 60).toEpochMilli()))
          .pipe(new Ev("a", T0.plusSeconds(61 * 60).toEpochMilli())).end();
      // Then the first counts, the second is bad input
      assertThat(results(d)).containsExactly(T0.plusSeconds(59 * 60) + "/" + T0.plusSeconds(60 * 60) + "=1");
      assertThat(d.<DeadLetter>output(dlq)).singleElement()
          .satisfies(l -> assertThat(l.errorMessage()).contains("maxEventTimeAhead PT1H"));
    }
  }

  @Test
  void when_the_bound_is_off_then_an_event_at_the_largest_timestamp_lands_in_a_saturated_window_not_in_late_events() {
    // Given a driver whose clock is unrelated to event time (no bound)
    Pipeline p = counting(PipelineConfig.defaults(), Duration.ZERO, Duration.ofMinutes(1));
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      // When an event at Long.MAX_VALUE ms arrives
      d.<Ev>input("in").pipe(new Ev("a", Long.MAX_VALUE)).end();
      // Then it is counted in the last window, which ends at the end of time instead of wrapping around
      assertThat(late.values()).isEmpty();
      assertThat(d.output(out)).singleElement().satisfies(r -> {
        assertThat(r.end()).isEqualTo(Instant.ofEpochMilli(Long.MAX_VALUE));
        assertThat(r.start()).isBefore(r.end());
        assertThat(r.value()).isEqualTo(1L);
      });
    }
  }

  @Test
  void when_max_event_time_ahead_is_not_positive_then_the_configuration_names_it() {
    assertThatThrownBy(() -> PipelineConfig.builder().maxEventTimeAhead(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("maxEventTimeAhead");
    assertThat(PipelineConfig.fromProperties(Map.of("max.event.time.ahead", "PT2H")).build().maxEventTimeAhead())
        .isEqualTo(Duration.ofHours(2));
    assertThat(PipelineConfig.defaults().maxEventTimeAhead()).isEqualTo(Duration.ofDays(1));
  }
}
