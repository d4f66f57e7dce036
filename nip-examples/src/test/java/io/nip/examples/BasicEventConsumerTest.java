package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.event.GenericEvent;
import io.nip.pipeline.PipelineHandle;
import io.nip.testing.PipelineTestDriver;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.time.ManualClock;
import io.nip.time.NipClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BasicEventConsumerTest {
  private static final Instant NOW = Instant.parse("2026-01-17T17:30:00Z");

  @Test
  void each_event_is_converted_and_enriched_with_processing_time_and_node() {
    // Given the consumer pipeline on a virtual clock
    CollectingSink<UserEvent> out = Sinks.collecting(BasicEventConsumer.SINK_NAME);
    ManualClock clock = new ManualClock(NOW);
    var pipeline = BasicEventConsumer.pipeline(
        Sources.generator(BasicEventConsumer.SOURCE_NAME, GeneratorSpec.builder().build()), out, clock);

    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, NOW)) {
      // When a generator event arrives
      driver.<GenericEvent>input(BasicEventConsumer.SOURCE_NAME).pipe(new GenericEvent("e1", "user_3",
          "purchase", Instant.parse("2026-01-17T17:00:00Z"), Map.of("value", 42.0)));

      // Then it leaves as a UserEvent with the tutorial's two extra properties
      assertThat(driver.<UserEvent>output(out)).containsExactly(new UserEvent("e1", "user_3", "purchase",
          Instant.parse("2026-01-17T17:00:00Z"), Map.of("value", 42.0, "priority", 2,
          "processed_at", "2026-01-17T17:30:00Z", "processing_node", "nip-worker-1")));
    }
  }

  @Test
  void a_real_bounded_run_processes_every_generated_event_once() {
    CollectingSink<UserEvent> out = Sinks.collecting(BasicEventConsumer.SINK_NAME);
    var source = Sources.generator(BasicEventConsumer.SOURCE_NAME,
        GeneratorSpec.builder().events(10_000).partitions(2).build());

    PipelineHandle h = BasicEventConsumer.pipeline(source, out, NipClock.system()).start();

    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    List<UserEvent> got = out.values();
    assertThat(got).hasSize(10_000);
    assertThat(got.stream().map(UserEvent::eventId).collect(Collectors.toSet())).hasSize(10_000);
    assertThat(got).allSatisfy(e -> {
      assertThat(e.properties()).containsEntry("processing_node", "nip-worker-1").containsKey("processed_at");
      assertThat(e.userId()).startsWith("user_");
    });
  }
}
