package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.backpressure.BufferStats;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.streaming.BufferedPipeline;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tutorial's backpressure snippet, run on virtual time: events arrive faster than the 1,000
 * calls/s the service takes, the buffer fills, the alerts print, and the oldest events make room.
 * Pinned to {@link DriverMode#PLAIN}: a checkpoint (taken after every record by the hostile modes)
 * waits until throttled events passed.
 */
class BackpressurePipelineTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  private static UserEvent event(int i) {
    return new UserEvent("e" + i, "user_" + (i % 50), "click", T0, Map.of());
  }

  @Test
  void when_events_come_faster_than_the_service_takes_them_then_the_buffer_alerts_and_drops_the_oldest() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    BufferedPipeline<UserEvent> pipeline = BackpressurePipeline.pipeline(new PrintStream(console, true,
        StandardCharsets.UTF_8));
    CollectingSink<Object> processed = Sinks.collecting("processed");
    pipeline.results(processed);
    Pipeline p = pipeline.pipeline(Sources.collection("user-events", List.of()),
        PipelineConfig.builder().meterRegistry(new SimpleMeterRegistry()).build());
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      TestInput<UserEvent> in = driver.input("user-events");
      // When 6,000 events arrive within one millisecond of virtual time, in batches of 100
      for (int i = 0; i < 6_000; i += 100) {
        UserEvent[] batch = new UserEvent[100];
        for (int j = 0; j < 100; j++) {
          batch[j] = event(i + j);
        }
        in.pipeAll(batch);
      }
      // Then the burst of 100 was processed, 5,000 wait, 1 waits for a token, 899 of the oldest were dropped
      BufferStats stats = pipeline.bufferStats();
      assertThat(driver.output(processed)).hasSize(100);
      assertThat(stats.size()).isEqualTo(5_000);
      assertThat(stats.utilization()).isEqualTo(1.0);
      assertThat(stats.dropped()).isEqualTo(899);
      assertThat(console.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
          "WARNING: Buffer at 80% capacity", "WARNING: Buffer at 90% capacity", "CRITICAL: Buffer at 100% capacity");
      // and at 1,000 calls/s the buffer is worked off in 5 s
      for (int ms = 0; ms < 5_001; ms += 100) {
        driver.advanceWallClockTime(Duration.ofMillis(100));
      }
      assertThat(driver.output(processed)).hasSize(6_000 - 899);
      assertThat(pipeline.bufferStats().size()).isZero();
    }
  }
}
