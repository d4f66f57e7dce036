package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import io.nip.testing.PipelineTestDriver;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterAndTransformTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  private static final Instant NOW = Instant.parse("2026-01-17T18:00:00Z");

  private static UserEvent event(String id, Object priority) {
    return new UserEvent(id, "user_1", "click", T0, priority == null ? Map.of() : Map.of("priority", priority));
  }

  @Test
  void only_priority_five_and_above_is_saved_and_it_is_enriched() {
    // Given the tutorial's processor on a virtual clock
    CollectingSink<UserEvent> saved = Sinks.collecting("save_to_database");
    Pipeline p = FilterAndTransform.processor(new ManualClock(NOW), saved)
        .pipeline(Sources.collection("user-events", List.of()));

    try (PipelineTestDriver driver = PipelineTestDriver.of(p, NOW)) {
      // When events of several priorities arrive (absent priority counts as 0)
      driver.<UserEvent>input("user-events")
          .pipeAll(event("a", 1), event("b", 5), event("c", null), event("d", 9), event("e", 4.99));

      // Then
      assertThat(driver.<UserEvent>output(saved)).extracting(UserEvent::eventId).containsExactly("b", "d");
      assertThat(driver.<UserEvent>output(saved)).allSatisfy(e -> assertThat(e.properties())
          .containsEntry("enriched", true).containsEntry("enriched_at", "2026-01-17T18:00:00Z"));
    }
  }

  @Test
  void a_real_run_over_a_json_lines_file_of_the_tutorial_shape(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("events.jsonl");
    Files.write(in, List.of(
        "{\"event_id\":\"1\",\"user_id\":\"u1\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:00\",\"properties\":{\"priority\":7}}",
        "{\"event_id\":\"2\",\"user_id\":\"u2\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:01\",\"properties\":{\"priority\":2}}",
        "{\"event_id\":\"3\",\"user_id\":\"u3\",\"event_type\":\"view\",\"timestamp\":\"2026-01-17T17:00:02\",\"properties\":{\"priority\":\"5\"}}"));
    Path out = dir.resolve("saved.jsonl");

    PipelineHandle h = FilterAndTransform.processor(new ManualClock(NOW), Sinks.jsonLines("saved", out))
        .start(Sources.jsonLines("user-events", in, UserEvent.class));

    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(2);
    assertThat(lines.stream().map(l -> Serdes.json(UserEvent.class).deserialize(l.getBytes())))
        .extracting(UserEvent::eventId).containsExactlyInAnyOrder("1", "3");
  }

  @Test
  void over_generated_events_about_half_pass_the_filter() {
    CollectingSink<UserEvent> saved = Sinks.collecting("save");
    var source = Sources.generator("user-events", GeneratorSpec.builder().events(20_000).build());
    PipelineHandle h = FilterAndTransform.pipeline(source, new ManualClock(NOW), saved).start();

    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(saved.size()).isBetween(9_000, 11_000);
    assertThat(saved.values()).allMatch(e -> e.number("priority") >= 5 && Boolean.TRUE.equals(e.properties().get("enriched")));
  }
}
