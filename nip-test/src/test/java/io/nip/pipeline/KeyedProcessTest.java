package io.nip.pipeline;

import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** keyBy + process: per-key state, event-time and processing-time timers, on the test driver. */
class KeyedProcessTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /** Counts per key; on each record registers an event-time timer at the record time + 10 s. */
  private static final class CountWithTimer implements KeyedProcessor<String, String, String> {
    @Override
    public void process(String key, String value, KeyedContext<String, String> ctx) {
      ValueState<Long> n = ctx.valueState("count", Serdes.json(Long.class));
      n.update(n.valueOr(0L) + 1);
      ctx.registerEventTimeTimer(ctx.timestamp().plusSeconds(10));
    }

    @Override
    public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
      ValueState<Long> n = ctx.valueState("count", Serdes.json(Long.class));
      ctx.emit(key + "@" + time.getEpochSecond() + "=" + n.value() + ":" + domain);
    }
  }

  private static Pipeline countingPipeline(CollectingSink<String> out, Duration bound) {
    Pipeline p = Pipeline.named("keyed");
    p.from(Sources.<String>collection("in", List.of()), WatermarkStrategy.boundedOutOfOrderness(bound))
        .keyBy(s -> s.substring(0, 1))
        .process(new CountWithTimer(), Op.named("counter"))
        .to(out);
    return p;
  }

  @Test
  void when_records_of_several_keys_arrive_then_value_state_is_kept_per_key() {
    // Given
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = countingPipeline(out, Duration.ZERO);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      TestInput<String> in = driver.input("in");
      // When
      in.pipe("a1", T0).pipe("b1", T0).pipe("a2", T0).pipe("a3", T0);
      // Then
      assertThat(driver.state("counter", "count")).containsOnly(
          java.util.Map.entry("a", 3L), java.util.Map.entry("b", 1L));
    }
  }

  @Test
  void when_the_watermark_passes_an_event_time_timer_then_onTimer_fires_once_for_its_key() {
    // Given
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = countingPipeline(out, Duration.ZERO);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipe("a1", T0).pipe("a2", T0);
      assertThat(driver.output(out)).isEmpty();
      // When
      driver.advanceEventTime(T0.plusSeconds(9));
      // Then: not yet
      assertThat(driver.output(out)).isEmpty();
      // When
      driver.advanceEventTime(T0.plusSeconds(10));
      // Then: registering the same time twice fires once
      assertThat(driver.output(out)).containsExactly("a@" + T0.plusSeconds(10).getEpochSecond() + "=2:EVENT_TIME");
      driver.advanceEventTime(T0.plusSeconds(100));
      assertThat(driver.output(out)).hasSize(1);
    }
  }

  @Test
  void when_a_timer_is_deleted_then_it_never_fires() {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("delete-timer");
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> s)
        .process(new KeyedProcessor<String, String, String>() {
          @Override
          public void process(String key, String value, KeyedContext<String, String> ctx) {
            ctx.registerEventTimeTimer(T0.plusSeconds(5));
            ctx.registerEventTimeTimer(T0.plusSeconds(6));
            ctx.deleteEventTimeTimer(T0.plusSeconds(5));
          }

          @Override
          public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
            ctx.emit(key + "@" + (time.getEpochSecond() - T0.getEpochSecond()));
          }
        })
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipe("k", T0);
      driver.advanceEventTime(T0.plusSeconds(60));
      assertThat(driver.output(out)).containsExactly("k@6");
    }
  }

  @Test
  void when_timers_of_several_keys_are_due_then_each_fires_with_its_own_key_and_state() {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = countingPipeline(out, Duration.ZERO);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipe("a1", T0).pipe("b1", T0.plusSeconds(1)).pipe("b2", T0.plusSeconds(1));
      driver.advanceEventTime(T0.plusSeconds(11));
      long s = T0.getEpochSecond();
      assertThat(driver.output(out)).containsExactly(
          "a@" + (s + 10) + "=1:EVENT_TIME", "b@" + (s + 11) + "=2:EVENT_TIME");
    }
  }

  @Test
  void when_the_wall_clock_passes_a_processing_time_timer_then_it_fires() {
    // Given: a processor that arms a processing-time timer 5 s after each record
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("proc-time");
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> s)
        .process(new KeyedProcessor<String, String, String>() {
          @Override
          public void process(String key, String value, KeyedContext<String, String> ctx) {
            ctx.registerProcessingTimeTimer(ctx.currentProcessingTime().plusSeconds(5));
          }

          @Override
          public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
            ctx.emit(key + ":" + domain + "@" + ctx.currentProcessingTime());
          }
        })
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0)) {
      driver.<String>input("in").pipe("k", T0);
      // When
      driver.advanceWallClockTime(Duration.ofSeconds(4));
      // Then
      assertThat(driver.output(out)).isEmpty();
      // When
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      // Then
      assertThat(driver.output(out)).containsExactly("k:PROCESSING_TIME@" + T0.plusSeconds(5));
      assertThat(driver.wallClockTime()).isEqualTo(T0.plusSeconds(5));
    }
  }

  @Test
  void when_value_state_has_a_ttl_then_it_expires_after_the_ttl_on_the_wall_clock() {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("ttl-state");
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> s)
        .process((KeyedProcessor<String, String, String>) (key, value, ctx) -> {
          ValueState<Long> seen = ctx.valueState("seen", Serdes.json(Long.class), Duration.ofSeconds(10));
          ctx.emit(key + (seen.value() == null ? " new" : " again"));
          seen.update(1L);
        }, Op.named("dedup"))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0)) {
      TestInput<String> in = driver.input("in");
      in.pipe("k", T0);
      driver.advanceWallClockTime(Duration.ofSeconds(9));
      in.pipe("k", T0);
      assertThat(driver.state("dedup", "seen")).containsKey("k");
      driver.advanceWallClockTime(Duration.ofSeconds(10));
      assertThat(driver.state("dedup", "seen")).isEmpty();
      in.pipe("k", T0);
      assertThat(driver.output(out)).containsExactly("k new", "k again", "k new");
    }
  }

  @Test
  void when_emitting_with_an_explicit_timestamp_then_downstream_sees_that_time() {
    CollectingSink<Instant> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("emit-ts");
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> s)
        .process((KeyedProcessor<String, String, String>) (key, value, ctx) -> ctx.emit(value, T0.plusSeconds(42)))
        .keyBy(s -> s)
        .process((KeyedProcessor<String, String, Instant>) (key, value, ctx) -> ctx.emit(ctx.timestamp()))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipe("x", T0);
      assertThat(driver.output(out)).containsExactly(T0.plusSeconds(42));
    }
  }

  @Test
  void when_asking_for_state_of_an_unknown_operator_then_the_driver_names_the_known_ones() {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = countingPipeline(out, Duration.ZERO);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      assertThatThrownBy(() -> driver.state("nope", "count"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("nope")
          .hasMessageContaining("counter");
    }
  }
}
