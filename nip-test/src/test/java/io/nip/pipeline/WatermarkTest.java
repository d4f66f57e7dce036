package io.nip.pipeline;

import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.TimeDomain;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Watermarks derived from bounded out-of-orderness, and the end of input. */
class WatermarkTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /** Registers an event-time timer at the record's own time; reports timer time and watermark. */
  private static Pipeline timerAtRecordTime(CollectingSink<String> out, WatermarkStrategy<Instant> strategy) {
    Pipeline p = Pipeline.named("wm");
    p.from(Sources.<Instant>collection("in", List.of()), strategy)
        .keyBy(t -> "k")
        .process(new KeyedProcessor<String, Instant, String>() {
          @Override
          public void process(String key, Instant value, KeyedContext<String, String> ctx) {
            ctx.registerEventTimeTimer(value);
          }

          @Override
          public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
            ctx.emit("t+" + Duration.between(T0, time).toSeconds());
          }
        })
        .to(out);
    return p;
  }

  @Test
  void when_events_arrive_out_of_order_then_timers_fire_only_once_max_time_minus_bound_passes_them() {
    // Given: 5 s of allowed disorder, event time taken from the value
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = timerAtRecordTime(out, WatermarkStrategy.<Instant>boundedOutOfOrderness(Duration.ofSeconds(5))
        .withTimestamps(t -> t));
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      TestInput<Instant> in = driver.input("in");
      // When: max seen 8 s -> watermark 3 s
      in.pipe(T0.plusSeconds(6)).pipe(T0.plusSeconds(3));
      assertThat(driver.output(out)).isEmpty();
      in.pipe(T0.plusSeconds(8));
      // Then: only the 3 s timer is at or behind the watermark
      assertThat(driver.output(out)).containsExactly("t+3");
      // When: a late-but-allowed event (4 s) arrives, then max 11 s -> watermark 6 s
      in.pipe(T0.plusSeconds(4));
      assertThat(driver.output(out)).containsExactly("t+3");
      in.pipe(T0.plusSeconds(11));
      // Then: timers fire in time order
      assertThat(driver.output(out)).containsExactly("t+3", "t+4", "t+6");
      // When: max 14 s -> watermark 9 s
      in.pipe(T0.plusSeconds(14));
      // Then
      assertThat(driver.output(out)).containsExactly("t+3", "t+4", "t+6", "t+8");
      // When: the input ends, the rest fires
      driver.endAllInputs();
      assertThat(driver.output(out)).containsExactly("t+3", "t+4", "t+6", "t+8", "t+11", "t+14");
    }
  }

  @Test
  void when_the_bound_is_zero_then_a_timer_fires_as_soon_as_an_event_reaches_its_time() {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = timerAtRecordTime(out, WatermarkStrategy.<Instant>boundedOutOfOrderness(Duration.ZERO)
        .withTimestamps(t -> t));
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Instant>input("in").pipe(T0.plusSeconds(7));
      assertThat(driver.output(out)).containsExactly("t+7");
    }
  }

  @Test
  void when_input_ends_then_the_watermark_moves_to_the_end_of_time_and_every_timer_fires() {
    // Given: a large bound keeps every timer pending
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = timerAtRecordTime(out, WatermarkStrategy.<Instant>boundedOutOfOrderness(Duration.ofHours(1))
        .withTimestamps(t -> t));
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Instant>input("in").pipe(T0.plusSeconds(30)).pipe(T0.plusSeconds(20)).pipe(T0.plusSeconds(400));
      assertThat(driver.output(out)).isEmpty();
      // When
      driver.endAllInputs();
      // Then
      assertThat(driver.output(out)).containsExactly("t+20", "t+30", "t+400");
      assertThat(driver.isCompleted()).isTrue();
    }
  }

  @Test
  void when_the_source_timestamp_is_used_then_the_pipeline_default_bound_applies() {
    // Given: default strategy, 2 s out-of-orderness from the configuration
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("default-bound",
        PipelineConfig.builder().maxOutOfOrderness(Duration.ofSeconds(2)).build());
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> s)
        .process(new KeyedProcessor<String, String, String>() {
          @Override
          public void process(String key, String value, KeyedContext<String, String> ctx) {
            ctx.registerEventTimeTimer(ctx.timestamp());
          }

          @Override
          public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
            ctx.emit(key + " wm+" + Duration.between(T0, ctx.currentWatermark()).toSeconds());
          }
        })
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      TestInput<String> in = driver.input("in");
      in.pipe("a", T0.plusSeconds(10));
      in.pipe("b", T0.plusSeconds(11));
      assertThat(driver.output(out)).isEmpty();
      in.pipe("c", T0.plusSeconds(12));
      assertThat(driver.output(out)).containsExactly("a wm+10");
    }
  }

  @Test
  void when_two_sources_are_merged_then_the_watermark_is_the_minimum_of_both() {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("merge-wm");
    WatermarkStrategy<Instant> s = WatermarkStrategy.<Instant>boundedOutOfOrderness(Duration.ZERO).withTimestamps(t -> t);
    Stream<Instant> a = p.from(Sources.<Instant>collection("a", List.of()), s);
    Stream<Instant> b = p.from(Sources.<Instant>collection("b", List.of()), s);
    a.merge(b).keyBy(t -> "k").process(new KeyedProcessor<String, Instant, String>() {
      @Override
      public void process(String key, Instant value, KeyedContext<String, String> ctx) {
        ctx.registerEventTimeTimer(T0.plusSeconds(5));
      }

      @Override
      public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
        ctx.emit("fired");
      }
    }).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Instant>input("a").pipe(T0.plusSeconds(10));
      assertThat(driver.output(out)).isEmpty();
      driver.<Instant>input("b").pipe(T0.plusSeconds(4));
      assertThat(driver.output(out)).isEmpty();
      driver.<Instant>input("b").pipe(T0.plusSeconds(6));
      assertThat(driver.output(out)).containsExactly("fired");
    }
  }
}
