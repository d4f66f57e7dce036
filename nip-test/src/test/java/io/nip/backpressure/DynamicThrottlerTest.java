package io.nip.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The dynamic throttler's control law on virtual time, alone and in a pipeline. */
class DynamicThrottlerTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /**
   * A handler that needs {@code msPerRecord} ms per record: its sustainable rate is
   * {@code 1000 / msPerRecord}. One observation per interval, then the interval passes.
   *
   * @return the rate after each interval
   */
  private static List<Double> run(DynamicThrottler t, ManualClock clock, double msPerRecord, int intervals) {
    List<Double> rates = new ArrayList<>();
    for (int i = 0; i < intervals; i++) {
      t.recordMetric(msPerRecord);
      clock.advance(Duration.ofSeconds(1));
      rates.add(t.rate());
    }
    t.recordMetric(msPerRecord);
    rates.add(t.rate());
    return rates;
  }

  @Test
  void when_the_handler_is_fast_then_the_rate_rises_by_the_factor_per_interval_up_to_the_maximum() {
    ManualClock clock = new ManualClock(T0);
    DynamicThrottler t = new DynamicThrottler(100, 10, 1000, 1.1, DynamicThrottler.Metric.PROCESSING_TIME)
        .withClock(clock);
    // 0.1 ms per record: 10,000/s sustainable, far above maxRate
    List<Double> rates = run(t, clock, 0.1, 40);
    assertThat(rates.get(1)).isCloseTo(110.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(rates.get(2)).isCloseTo(121.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(rates).allSatisfy(r -> assertThat(r).isBetween(10.0, 1000.0));
    assertThat(rates.get(rates.size() - 1)).isEqualTo(1000.0);
  }

  @Test
  void when_the_handler_is_slow_then_the_rate_falls_and_never_below_the_minimum() {
    ManualClock clock = new ManualClock(T0);
    DynamicThrottler t = new DynamicThrottler(500, 10, 1000, 1.1, DynamicThrottler.Metric.PROCESSING_TIME)
        .withClock(clock);
    // 1 s per record: 1/s sustainable, below minRate
    List<Double> rates = run(t, clock, 1_000, 60);
    assertThat(rates.get(1)).isCloseTo(500 / 1.1, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(rates).allSatisfy(r -> assertThat(r).isBetween(10.0, 1000.0));
    assertThat(rates.get(rates.size() - 1)).isEqualTo(10.0);
  }

  @Test
  void when_the_sustainable_rate_is_inside_the_bounds_then_the_rate_settles_within_the_band_without_oscillating() {
    ManualClock clock = new ManualClock(T0);
    DynamicThrottler t = new DynamicThrottler(10, 1, 10_000, 1.1, DynamicThrottler.Metric.PROCESSING_TIME)
        .withClock(clock);
    // 5 ms per record: 200/s sustainable; the target utilization 0.9 gives the band [163.6, 180] /s
    List<Double> rates = run(t, clock, 5, 80);
    List<Double> tail = rates.subList(50, rates.size());
    assertThat(tail).allSatisfy(r -> assertThat(r).isBetween(0.9 * 200 / 1.1, 0.9 * 200));
    assertThat(tail.stream().distinct().count()).isEqualTo(1); // settled: no further change
    assertThat(tail.get(0)).isBetween(200 * 0.8, 200 * 1.2);
  }

  @Test
  void when_the_queue_grows_past_its_target_then_the_rate_falls_and_when_it_empties_it_rises() {
    ManualClock clock = new ManualClock(T0);
    DynamicThrottler t = new DynamicThrottler(100, 10, 1000, 2, DynamicThrottler.Metric.QUEUE_SIZE)
        .withTarget(500).withClock(clock);
    t.recordMetric(800);
    clock.advance(Duration.ofSeconds(1));
    t.recordMetric(900); // closes the interval of 800: over 500
    assertThat(t.rate()).isEqualTo(50.0);
    clock.advance(Duration.ofSeconds(1));
    t.recordMetric(0); // the interval's mean 900: over
    assertThat(t.rate()).isEqualTo(25.0);
    clock.advance(Duration.ofSeconds(1));
    t.recordMetric(300); // mean 0: under 500 / 2
    assertThat(t.rate()).isEqualTo(50.0);
    clock.advance(Duration.ofSeconds(1));
    t.recordMetric(0); // mean 300: inside [250, 500], hold
    assertThat(t.rate()).isEqualTo(50.0);
  }

  @Test
  void when_a_queue_over_its_target_drains_or_one_under_it_grows_then_the_rate_holds() {
    ManualClock clock = new ManualClock(T0);
    DynamicThrottler t = new DynamicThrottler(100, 10, 1000, 2, DynamicThrottler.Metric.QUEUE_SIZE)
        .withTarget(500).withClock(clock);
    // each interval's first value closes the one before; the rate then reflects that one's decision
    interval(t, clock, 600, 800, 1000); // A: mean 800, over 500, rising to its end
    interval(t, clock, 1000, 800, 600); // B: mean 800, over, but draining
    assertThat(t.rate()).as("after A: lowered").isEqualTo(50.0);
    interval(t, clock, 0, 100, 200); // C: mean 100, under 250 but growing: the rate is already too high
    assertThat(t.rate()).as("after B: held").isEqualTo(50.0);
    interval(t, clock, 200, 100, 0); // D: mean 100, under, draining
    assertThat(t.rate()).as("after C: held").isEqualTo(50.0);
    interval(t, clock, 700, 700, 700); // E: mean 700, over, steady
    assertThat(t.rate()).as("after D: raised").isEqualTo(100.0);
    t.recordMetric(0);
    assertThat(t.rate()).as("after E: lowered").isEqualTo(50.0);
  }

  /** Records the values 400 ms apart and moves the clock past the interval's end. */
  private static void interval(DynamicThrottler t, ManualClock clock, double... values) {
    for (double v : values) {
      t.recordMetric(v);
      clock.advance(Duration.ofMillis(400));
    }
    clock.advance(Duration.ofMillis(1));
  }

  @Test
  void when_values_come_within_one_interval_then_the_rate_changes_at_most_once_per_interval() {
    ManualClock clock = new ManualClock(T0);
    DynamicThrottler t = DynamicThrottler.of(100, 10, 1000, 1.1, "memory_usage").withClock(clock);
    for (int i = 0; i < 1_000; i++) {
      t.recordMetric(0.95);
    }
    assertThat(t.rate()).isEqualTo(100.0);
    clock.advance(Duration.ofMillis(999));
    t.recordMetric(0.95);
    assertThat(t.rate()).isEqualTo(100.0);
    clock.advance(Duration.ofMillis(1));
    t.recordMetric(0.1);
    assertThat(t.rate()).isCloseTo(100 / 1.1, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void when_the_throttler_limits_a_pipeline_then_its_limiter_admits_at_the_adjusted_rate() {
    ManualClock clock = new ManualClock(T0);
    DynamicThrottler t = new DynamicThrottler(10, 1, 100, 2, DynamicThrottler.Metric.QUEUE_SIZE)
        .withTarget(100).withClock(clock);
    Pipeline p = Pipeline.named("dynamic");
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of())).rateLimit(t.limiter()).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(IntStream.rangeClosed(1, 500).boxed().toArray(Integer[]::new));
      assertThat(driver.output(out)).hasSize(1); // burst 1
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertThat(driver.output(out)).hasSize(11); // 10/s
      // When the queue is reported empty for an interval, the rate doubles to 20/s
      t.recordMetric(0);
      clock.advance(Duration.ofSeconds(1));
      t.recordMetric(0);
      assertThat(t.rate()).isEqualTo(20.0);
      driver.advanceWallClockTime(Duration.ofMillis(50)); // the change applies from the next token
      int before = driver.output(out).size();
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertThat(driver.output(out).size() - before).isEqualTo(20);
    }
  }

  @Test
  void when_a_setting_is_out_of_range_then_the_message_names_it() {
    assertThatThrownBy(() -> new DynamicThrottler(5, 10, 1000, 1.1, DynamicThrottler.Metric.QUEUE_SIZE))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("initialRate");
    assertThatThrownBy(() -> new DynamicThrottler(100, 10, 1000, 1.0, DynamicThrottler.Metric.QUEUE_SIZE))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("adjustmentFactor");
    assertThatThrownBy(() -> new DynamicThrottler(100, 1000, 10, 1.1, DynamicThrottler.Metric.QUEUE_SIZE))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("minRate");
    assertThatThrownBy(() -> DynamicThrottler.of(100, 10, 1000, 1.1, "latency"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("metric");
  }
}
