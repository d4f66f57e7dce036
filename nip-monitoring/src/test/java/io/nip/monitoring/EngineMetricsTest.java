package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.LogSource;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.ManualClock;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

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

  private static double lag(MeterRegistry registry) {
    return registry.get("nip.watermark.lag").tag("source", "ten").gauge().value();
  }
}
