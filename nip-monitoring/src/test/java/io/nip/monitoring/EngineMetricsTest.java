package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.serde.Serdes;
import io.nip.state.CheckpointStorage;
import io.nip.state.ValueState;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.LogSource;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.ManualClock;
import io.nip.time.WatermarkStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters nip-core records for nip-monitoring, checked on virtual time. */
class EngineMetricsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void when_a_record_crosses_a_key_exchange_then_the_keyed_sink_measures_its_event_time_latency() {
    // Given a keyed pipeline whose sink sits in a keyed task, on a driver clock 3 s after the events
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CollectingSink<Integer> out = Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("keyed", PipelineConfig.builder().meterRegistry(registry).build());
    pipeline.from(Sources.<Integer>collection("in", List.of()), WatermarkStrategy.<Integer>boundedOutOfOrderness(
        Duration.ofSeconds(5))).keyBy(i -> i % 3)
        .<Integer>process((key, value, ctx) -> ctx.emit(value)).to(out);

    // When 20 records pass
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0.plusSeconds(3))) {
      for (int i = 0; i < 20; i++) {
        driver.<Integer>input("in").pipe(i, T0);
      }
      assertThat(driver.output(out)).hasSize(20);
    }

    // Then two of them (the 1st and the 17th) were sampled, each 3 s behind the clock
    Timer latency = registry.get("nip.sink.latency.event.time").timer();
    assertThat(latency.count()).isEqualTo(2);
    assertThat(latency.max(TimeUnit.MILLISECONDS)).isEqualTo(3000.0);
    assertThat(latency.getId().getTag("sink")).isEqualTo("out");
  }

  @Test
  void a_running_pipeline_reports_its_watermark_lag_and_latency_by_the_pipeline_clock() {
    // Given a pipeline on worker threads whose clock stands 60 s after the first of 10 events 1 s apart
    ManualClock clock = new ManualClock(T0.plusSeconds(60));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CollectingSink<Integer> out = Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("lagging", PipelineConfig.builder().meterRegistry(registry).clock(clock).build());
    LogSource<Integer> ten = new LogSource<>("ten", i -> T0.plusSeconds(i).toEpochMilli());
    ten.log.addAll(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    pipeline.from(ten, WatermarkStrategy.<Integer>boundedOutOfOrderness(Duration.ZERO)).to(out);

    // When it has written them
    try (PipelineHandle handle = pipeline.start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> out.values().size() == 10 && lag(registry) == 51_000.0);

      // Then the watermark (the 10th event, at 9 s) is 51 s behind the clock, and the one sampled record
      // (the 1st, at 0 s) was written 60 s after its event time
      Timer latency = registry.get("nip.sink.latency.event.time").timer();
      assertThat(latency.count()).isEqualTo(1);
      assertThat(latency.max(TimeUnit.MILLISECONDS)).isEqualTo(60_000.0);
      handle.stop();
    }
  }

  @Test
  void window_results_fired_by_a_watermark_across_a_key_exchange_measure_their_processing_latency_from_its_source_round() {
    // Given keyed one-second windows behind a key exchange, on worker threads and a standing clock
    ManualClock clock = new ManualClock(T0.plusSeconds(60));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CollectingSink<Long> out = Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("windowed", PipelineConfig.builder().meterRegistry(registry).clock(clock)
        .build());
    LogSource<Integer> fifty = new LogSource<>("fifty", i -> T0.plusMillis(i * 100L).toEpochMilli());
    for (int i = 0; i < 50; i++) {
      fifty.log.add(i);
    }
    pipeline.from(fifty, WatermarkStrategy.<Integer>boundedOutOfOrderness(Duration.ZERO)).keyBy(i -> i % 3)
        .window(io.nip.window.TumblingWindow.of(Duration.ofSeconds(1))).aggregate(io.nip.window.Aggregates.count())
        .map(r -> r.value(), Op.named("value")).to(out);

    // When the windows of the first four seconds fire (some tasks get the watermark in a batch without records)
    try (PipelineHandle handle = pipeline.start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> out.values().size() == 12);
      handle.stop();
    }

    // Then their processing latency is that of the rounds (0 on a standing clock), not the time since 1970
    Timer processing = registry.get("nip.sink.latency.processing").timer();
    assertThat(processing.count()).isPositive();
    assertThat(processing.max(TimeUnit.MILLISECONDS)).isLessThan(60_000.0);
  }

  @Test
  void every_operator_counts_the_records_it_receives_and_emits_across_a_fan_out_and_a_key_exchange() {
    // Given parse -> even -> (keyed sum -> sums) and (by-ten -> tens): two sinks behind a fan-out
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CollectingSink<Integer> sums = Sinks.collecting("sums");
    CollectingSink<Integer> tens = Sinks.collecting("tens");
    Pipeline pipeline = Pipeline.named("counted", PipelineConfig.builder().meterRegistry(registry).build());
    Stream<Integer> even = pipeline.from(Sources.<String>collection("in", List.of()),
            WatermarkStrategy.<String>processingTime())
        .map(Integer::parseInt, Op.named("parse")).filter(i -> i % 2 == 0, Op.named("even"));
    even.keyBy(i -> i % 3).<Integer>process((key, value, ctx) -> ctx.emit(value), Op.named("sum")).to(sums);
    even.filter(i -> i % 10 == 0, Op.named("by-ten")).to(tens);

    // When 1,000 lines pass
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      for (int i = 0; i < 1_000; i++) {
        driver.<String>input("in").pipe(Integer.toString(i), T0);
      }
      assertThat(driver.output(sums)).hasSize(500);
      assertThat(driver.output(tens)).hasSize(100);
    }

    // Then each operator's in and out counts (summed over tasks) follow the records exactly
    assertThat(registry.find("nip.operator.records.out").tag("operator", "in").meters())
        .as("a source counts in nip.source.records").isEmpty();
    assertThat(count(registry, "nip.operator.records.in", "parse")).isEqualTo(1_000);
    assertThat(count(registry, "nip.operator.records.out", "parse")).isEqualTo(1_000);
    assertThat(count(registry, "nip.operator.records.in", "even")).isEqualTo(1_000);
    assertThat(count(registry, "nip.operator.records.out", "even")).isEqualTo(1_000); // 500 to each branch
    assertThat(count(registry, "nip.operator.records.in", "by-ten")).isEqualTo(500);
    assertThat(count(registry, "nip.operator.records.out", "by-ten")).isEqualTo(100);
    assertThat(count(registry, "nip.operator.records.in", "sum")).isEqualTo(500);
    assertThat(count(registry, "nip.operator.records.out", "sum")).isEqualTo(500);
    assertThat(registry.find("nip.operator.records.in").tag("operator", "sums").meters())
        .as("a sink counts in nip.sink.records").isEmpty();
    // and one record in 64 is timed per operator and task (the first one included)
    long parseTimed = registry.find("nip.operator.processing.time").tag("operator", "parse").timers().stream()
        .mapToLong(Timer::count).sum();
    assertThat(parseTimed).isEqualTo((1_000 + 63) / 64);
  }

  @Test
  void operator_metrics_can_be_switched_off() {
    // Given a pipeline configured without per-operator metrics
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CollectingSink<Integer> out = Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("quiet", PipelineConfig.builder().meterRegistry(registry)
        .operatorMetrics(false).build());
    pipeline.from(Sources.<Integer>collection("in", List.of()), WatermarkStrategy.<Integer>processingTime())
        .map(i -> i + 1, Op.named("inc")).to(out);

    // When records pass
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3);
      assertThat(driver.output(out)).containsExactly(2, 3, 4);
    }

    // Then no operator meter exists
    assertThat(registry.find("nip.operator.records.in").meters()).isEmpty();
    assertThat(registry.find("nip.operator.records.out").meters()).isEmpty();
    assertThat(registry.find("nip.operator.processing.time").meters()).isEmpty();
  }

  @Test
  void each_state_store_reports_its_entries_at_checkpoints(@TempDir Path dir) {
    // Given a keyed counter holding one entry per key, checkpointing to a directory
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CollectingSink<Long> out = Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("stateful", PipelineConfig.builder().meterRegistry(registry).build());
    pipeline.from(Sources.<Integer>collection("in", List.of()), WatermarkStrategy.<Integer>processingTime())
        .keyBy(i -> i % 37).<Long>process((key, value, ctx) -> {
          ValueState<Long> seen = ctx.valueState("seen", Serdes.json(Long.class));
          long n = seen.value() == null ? 1 : seen.value() + 1;
          seen.update(n);
          ctx.emit(n);
        }, Op.named("count")).to(out);

    // When 1,000 records of 37 keys pass and a checkpoint is taken
    try (PipelineTestDriver driver = PipelineTestDriver.withCheckpoints(pipeline, T0,
        CheckpointStorage.localDirectory(dir))) {
      for (int i = 0; i < 1_000; i++) {
        driver.<Integer>input("in").pipe(i, T0);
      }
      driver.checkpoint();
    }

    // Then the store's gauges (one per task) add up to the 37 keys
    double entries = registry.find("nip.state.entries").tag("operator", "count").tag("store", "seen").gauges()
        .stream().mapToDouble(g -> g.value()).filter(v -> !Double.isNaN(v)).sum();
    assertThat(entries).isEqualTo(37.0);
  }

  private static long count(MeterRegistry registry, String name, String operator) {
    return (long) registry.find(name).tag("operator", operator).functionCounters().stream()
        .mapToDouble(FunctionCounter::count).sum();
  }

  private static double lag(MeterRegistry registry) {
    return registry.get("nip.watermark.lag").tag("source", "ten").gauge().value();
  }
}
