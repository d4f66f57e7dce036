package io.nip.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Pipeline;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowResult;
import io.nip.window.WindowResult.Firing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The example of this module's README, between tag markers (ReadmeSnippetsTest in nip-examples
 * checks that the README block equals the tagged region): clicks counted per user in 5-minute
 * windows, one click piped, the window closed by advancing event time.
 */
class PipelineTestDriverReadmeTest {

  record Click(String user) {}

  @Test
  void a_window_fires_once_event_time_passes_its_end() {
    Pipeline pipeline = Pipeline.named("clicks-per-user");
    CollectingSink<WindowResult<String, Long>> sink = Sinks.collecting("counts");
    pipeline.from(Sources.collection("clicks", List.<Click>of()))
        .keyBy(Click::user).window(TumblingWindow.of(Duration.ofMinutes(5))).aggregate(Aggregates.count()).to(sink);
    Click click = new Click("user-1");
    WindowResult<String, Long> expected = new WindowResult<>("user-1", Instant.parse("2026-01-17T17:00:00Z"),
        Instant.parse("2026-01-17T17:05:00Z"), 1L, Firing.ON_TIME);

    // tag::driver[]
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, Instant.parse("2026-01-17T17:00:00Z"))) {
      driver.input("clicks").pipe(click, Instant.parse("2026-01-17T17:00:05Z"));
      driver.advanceEventTime(Instant.parse("2026-01-17T17:05:00Z"));
      assertThat(driver.output(sink)).containsExactly(expected);
    }
    // end::driver[]
  }
}
