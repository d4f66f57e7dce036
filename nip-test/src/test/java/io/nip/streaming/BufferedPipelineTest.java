package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferStats;
import io.nip.backpressure.RateLimiter;
import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tutorial's {@code BufferedPipeline}: alerts at the threshold and at higher levels with
 * hysteresis, buffer statistics, drops. A rate limiter of 1 event/s keeps the consumer busy so that
 * the buffer fills; pinned to {@link DriverMode#PLAIN} (the hostile modes checkpoint after every
 * record, and a checkpoint waits for throttled records).
 */
class BufferedPipelineTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  private final List<Double> alerts = new ArrayList<>();
  private final CollectingSink<Object> results = Sinks.collecting("results");
  private final CollectingSink<DeadLetter> dropped = Sinks.collecting("dropped");

  private BufferedPipeline<Integer> buffered() {
    return new BufferedPipeline<Integer>("backpressure_pipeline", 100, BackpressureStrategy.DROP_OLDEST, 80)
        .consumer(i -> i * 10)
        .rateLimit(new RateLimiter(1, 1))
        .alertHandler(alerts::add)
        .deadLetters(dropped)
        .results(results);
  }

  private static void pipe(TestInput<Integer> in, int from, int to) {
    for (int i = from; i <= to; i++) {
      in.pipe(i);
    }
  }

  @Test
  void alerts_fire_at_the_threshold_and_at_higher_levels_once_each_until_the_buffer_drained_below_them() {
    BufferedPipeline<Integer> bp = buffered();
    Pipeline p = bp.pipeline(Sources.collection("in", List.of()),
        PipelineConfig.builder().meterRegistry(new SimpleMeterRegistry()).build());
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      TestInput<Integer> in = driver.input("in");
      // Given 1 passed, 2 waits for a token; When 3..82 fill the buffer to 80 of 100
      pipe(in, 1, 82);
      // Then the threshold fires once, with the utilization
      assertThat(alerts).containsExactly(0.8);
      // When two records leave the buffer (2 and 3 pass, 4 waits) and two arrive, the level is
      // reached again: no alert (hysteresis)
      driver.advanceWallClockTime(Duration.ofSeconds(2));
      assertThat(driver.output(results)).containsExactly(10, 20, 30);
      pipe(in, 83, 84);
      assertThat(alerts).containsExactly(0.8);
      // When the buffer drains below 75 % and fills again, the threshold fires again
      driver.advanceWallClockTime(Duration.ofSeconds(6));
      pipe(in, 85, 90);
      assertThat(alerts).containsExactly(0.8, 0.8);
      // and the higher levels fire as the buffer fills up
      pipe(in, 91, 100);
      assertThat(alerts).containsExactly(0.8, 0.8, 0.9);
      pipe(in, 101, 110);
      assertThat(alerts).containsExactly(0.8, 0.8, 0.9, 1.0);
      // When it overflows, the oldest are dropped without new alerts
      pipe(in, 111, 115);
      assertThat(alerts).containsExactly(0.8, 0.8, 0.9, 1.0);
      assertThat(driver.output(dropped)).extracting(DeadLetter::value).containsExactly("11", "12", "13", "14", "15");
      BufferStats stats = bp.bufferStats();
      assertThat(stats.size()).isEqualTo(100);
      assertThat(stats.capacity()).isEqualTo(100);
      assertThat(stats.utilization()).isEqualTo(1.0);
      assertThat(stats.dropped()).isEqualTo(5);
      assertThat(stats.timeBlocked()).isEqualTo(Duration.ZERO);
      // and processed + dropped + waiting = piped: 9 passed, 1 waits at the limiter, 100 buffered
      assertThat(driver.output(results).size() + stats.dropped() + 1 + stats.size()).isEqualTo(115);
    }
  }

  @Test
  void under_block_the_stats_report_the_time_the_source_was_held_back() {
    BufferedPipeline<Integer> bp = new BufferedPipeline<Integer>("blocking", 10, BackpressureStrategy.BLOCK, 10)
        .consumer(i -> i).rateLimit(new RateLimiter(1, 1));
    Pipeline p = bp.pipeline(Sources.collection("in", List.of()),
        PipelineConfig.builder().meterRegistry(new SimpleMeterRegistry()).build());
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(java.util.stream.IntStream.rangeClosed(1, 30).boxed()
          .toArray(Integer[]::new));
      driver.advanceWallClockTime(Duration.ofMillis(2_500));
      BufferStats stats = bp.bufferStats();
      assertThat(stats.size()).isEqualTo(10);
      assertThat(stats.dropped()).isZero();
      assertThat(stats.timeBlocked()).isEqualTo(Duration.ofMillis(2_500));
    }
  }

  @Test
  void a_threshold_outside_the_buffer_or_a_missing_consumer_is_refused_with_the_setting_named() {
    assertThatThrownBy(() -> new BufferedPipeline<Integer>("x", 100, BackpressureStrategy.BLOCK, 101))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("alertThreshold");
    assertThatThrownBy(() -> new BufferedPipeline<Integer>("x", 100, BackpressureStrategy.BLOCK, 80)
        .pipeline(Sources.collection("in", List.of())))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("consumer");
  }
}
