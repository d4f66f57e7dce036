package io.nip.backpressure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Token-bucket admission of {@code rateLimit} and {@code throttle} on virtual time. The driver is
 * pinned to {@link DriverMode#PLAIN}: the hostile modes take a checkpoint after every record, and a
 * checkpoint waits until throttled records passed, which needs virtual time to move.
 */
class RateLimitTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  private static Integer[] oneTo(int n) {
    return IntStream.rangeClosed(1, n).boxed().toArray(Integer[]::new);
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.rangeClosed(from, to).boxed().toList();
  }

  /** A pipeline {@code in -> rateLimit(limiter) -> out} of integers. */
  private static Pipeline limited(String name, RateLimiter limiter, CollectingSink<Integer> out) {
    Pipeline p = Pipeline.named(name);
    p.from(Sources.<Integer>collection("in", List.of())).rateLimit(limiter).to(out);
    return p;
  }

  @Test
  void when_records_arrive_at_once_then_a_burst_passes_and_then_one_per_interval() {
    // Given 10 events/s with bursts of 5
    RateLimiter limiter = new RateLimiter(10, 5);
    CollectingSink<Integer> out = Sinks.collecting("out");
    try (PipelineTestDriver driver = PipelineTestDriver.of(limited("rate", limiter, out), T0, DriverMode.PLAIN)) {
      // When 30 records arrive at once
      driver.<Integer>input("in").pipeAll(oneTo(30));
      // Then the burst passes at once, in order
      assertThat(driver.output(out)).containsExactlyElementsOf(range(1, 5));
      // and one more per 100 ms, not before
      driver.advanceWallClockTime(Duration.ofMillis(99));
      assertThat(driver.output(out)).hasSize(5);
      driver.advanceWallClockTime(Duration.ofMillis(1));
      assertThat(driver.output(out)).containsExactlyElementsOf(range(1, 6));
      for (int i = 0; i < 10; i++) {
        driver.advanceWallClockTime(Duration.ofMillis(100));
      }
      assertThat(driver.output(out)).containsExactlyElementsOf(range(1, 16));
    }
  }

  @Test
  void when_the_source_was_quiet_then_no_more_than_the_burst_passes_at_once() {
    RateLimiter limiter = new RateLimiter(10, 5);
    CollectingSink<Integer> out = Sinks.collecting("out");
    try (PipelineTestDriver driver = PipelineTestDriver.of(limited("burst", limiter, out), T0, DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(oneTo(5));
      assertThat(driver.output(out)).hasSize(5);
      // When the bucket refills for a minute (600 tokens' worth) and 20 records arrive
      driver.advanceWallClockTime(Duration.ofMinutes(1));
      driver.<Integer>input("in").pipeAll(oneTo(20));
      // Then only a burst of 5 passes
      assertThat(driver.output(out)).hasSize(10);
      // and, as records wait, 1.5 s later 15 more: the rest (waiting records take every token as it comes)
      driver.advanceWallClockTime(Duration.ofMillis(1_500));
      assertThat(driver.output(out)).hasSize(25);
    }
  }

  @Test
  void when_a_rate_has_a_fraction_then_admission_stays_exact_over_a_long_run() {
    // 2.5 events/s: one per 400 ms; burst 1
    RateLimiter limiter = new RateLimiter(2.5, 1);
    CollectingSink<Integer> out = Sinks.collecting("out");
    try (PipelineTestDriver driver = PipelineTestDriver.of(limited("fraction", limiter, out), T0, DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(oneTo(2_000));
      assertThat(driver.output(out)).hasSize(1);
      // When 10 minutes pass in 1 ms steps of 7 (no step lands on a token boundary by design)
      long elapsed = 0;
      while (elapsed + 7 <= 600_000) {
        driver.advanceWallClockTime(Duration.ofMillis(7));
        elapsed += 7;
      }
      // Then exactly floor(elapsed / 400) more passed, no drift
      assertThat(driver.output(out)).hasSize(1 + (int) (elapsed / 400));
    }
  }

  @Test
  void when_a_handler_is_throttled_then_map_runs_it_behind_the_limiter() {
    RateLimiter limiter = new RateLimiter(1, 2);
    List<Integer> calls = new ArrayList<>();
    Pipeline p = Pipeline.named("throttle");
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .map(limiter.throttle((Integer i) -> {
          calls.add(i);
          return i * 10;
        }))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3, 4);
      assertThat(calls).containsExactly(1, 2);
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertThat(calls).containsExactly(1, 2, 3);
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertThat(driver.output(out)).containsExactly(10, 20, 30, 40);
    }
  }

  @Test
  void when_an_action_is_throttled_then_peek_runs_it_behind_the_limiter() {
    RateLimiter limiter = new RateLimiter(1, 1);
    List<String> seen = new ArrayList<>();
    Pipeline p = Pipeline.named("throttle-each");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<String>collection("in", List.of())).peek(limiter.throttleEach(seen::add)).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      driver.<String>input("in").pipeAll("a", "b", "c");
      assertThat(seen).containsExactly("a");
      driver.advanceWallClockTime(Duration.ofSeconds(2));
      assertThat(seen).containsExactly("a", "b", "c");
      assertThat(driver.output(out)).containsExactly("a", "b", "c");
    }
  }

  @Test
  void when_the_limiter_follows_a_keyed_stage_then_the_keyed_task_waits_and_keeps_order_per_key() {
    RateLimiter limiter = new RateLimiter(4, 2);
    Pipeline p = Pipeline.named("keyed-rate", PipelineConfig.builder().parallelism(3).build());
    CollectingSink<String> out = Sinks.collecting("out");
    KeyedProcessor<Integer, Integer, String> tag = (key, value, ctx) -> ctx.emit(key + ":" + value);
    p.from(Sources.<Integer>collection("in", List.of()))
        .keyBy(i -> i % 2, Serdes.json(Integer.class))
        .process(tag)
        .rateLimit(limiter)
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(oneTo(12));
      assertThat(driver.output(out)).hasSize(2);
      driver.advanceWallClockTime(Duration.ofMillis(250));
      assertThat(driver.output(out)).hasSize(3);
      driver.advanceWallClockTime(Duration.ofMillis(2_249));
      assertThat(driver.output(out)).hasSize(11);
      driver.advanceWallClockTime(Duration.ofMillis(1));
      assertThat(driver.output(out)).containsExactly("1:1", "0:2", "1:3", "0:4", "1:5", "0:6", "1:7", "0:8", "1:9",
          "0:10", "1:11", "0:12");
    }
  }

  @Test
  void when_records_wait_at_the_limiter_then_none_of_them_becomes_late_in_a_window_behind_it() {
    RateLimiter limiter = new RateLimiter(1, 1);
    Pipeline p = Pipeline.named("rate-window",
        PipelineConfig.builder().maxOutOfOrderness(Duration.ZERO).build());
    CollectingSink<WindowResult<String, Long>> out = Sinks.collecting("out");
    CollectingSink<String> late = Sinks.collecting("late");
    var windowed = p.from(Sources.<String>collection("in", List.of()))
        .rateLimit(limiter)
        .keyBy(s -> "all", Serdes.string())
        .window(TumblingWindow.of(Duration.ofSeconds(10)))
        .aggregate(Aggregates.count());
    windowed.to(out);
    windowed.lateEvents().to(late);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      // When three events of the first window wait at the limiter while a later one is read
      var in = driver.<String>input("in");
      in.pipe("a", T0).pipe("b", T0.plusSeconds(1)).pipe("c", T0.plusSeconds(2)).pipe("d", T0.plusSeconds(30));
      driver.advanceWallClockTime(Duration.ofSeconds(10));
      in.end();
      // Then the first window counts all three and nothing was late
      assertThat(late.values()).isEmpty();
      assertThat(driver.output(out)).extracting(WindowResult::value).containsExactly(3L, 1L);
    }
  }
}
