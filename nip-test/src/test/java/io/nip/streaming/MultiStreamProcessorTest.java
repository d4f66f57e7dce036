package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.WatermarkStrategy;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The tutorial's multi-stream processor: handlers per stream and an aggregator across two of three. */
class MultiStreamProcessorTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** An event; {@code at} is its event time for streams whose extractor reads the payload. */
  record Ev(String type, Instant at) {}

  private final List<String> seen = new ArrayList<>();

  private Pipeline pipeline(CollectingSink<Map<String, Object>> out) {
    MultiStreamProcessor<Ev> processor = MultiStreamProcessor.<Ev>named("multi_stream_processor")
        .handler("user_events", e -> {
          seen.add("user " + e.type());
          return e;
        })
        .handler("system_events", e -> e.type().equals("noise") ? null : e)
        .handler("metrics", e -> {
          seen.add("metric " + e.type());
          return e;
        })
        // user events carry their time in the payload; the others take the source's timestamps
        .watermarks("user_events", WatermarkStrategy.<Ev>boundedOutOfOrderness(Duration.ofSeconds(5))
            .withTimestamps(Ev::at))
        .watermarks("system_events", WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5)))
        .aggregator("aggregate_events", List.of("user_events", "system_events"),
            TumblingWindow.of(Duration.ofMinutes(1)), Aggregates.count(), (counts, window) -> {
              Map<String, Object> r = new TreeMap<>();
              r.put("window", window.start().toString());
              r.put("user_events", counts.get("user_events"));
              r.put("system_events", counts.get("system_events"));
              r.put("total", counts.get("user_events") + counts.get("system_events"));
              return r;
            }, out);
    Map<String, Source<Ev>> sources = Map.of(
        "user_events", Sources.<Ev>collection("user_events", List.of()),
        "system_events", Sources.<Ev>collection("system_events", List.of()),
        "metrics", Sources.<Ev>collection("metrics", List.of()));
    return processor.pipeline(sources, PipelineConfig.defaults());
  }

  @Test
  void each_window_counts_the_events_of_each_named_stream_once_both_watermarks_passed_it() {
    CollectingSink<Map<String, Object>> out = Sinks.collecting("out");
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline(out), T0)) {
      // Given 3 user events and 2 system events (one filtered by its handler) in minute 0, 1 user event in
      // minute 1, and metrics (not aggregated); user events are piped with a wrong source timestamp
      Instant wrong = T0.plusSeconds(3600);
      driver.<Ev>input("user_events").pipe(new Ev("click", T0.plusSeconds(5)), wrong);
      driver.<Ev>input("user_events").pipe(new Ev("view", T0.plusSeconds(50)), wrong);
      driver.<Ev>input("user_events").pipe(new Ev("click", T0.plusSeconds(20)), wrong); // out of order
      driver.<Ev>input("system_events").pipe(new Ev("deploy", null), T0.plusSeconds(30));
      driver.<Ev>input("system_events").pipe(new Ev("noise", null), T0.plusSeconds(31));
      driver.<Ev>input("metrics").pipe(new Ev("cpu", null), T0.plusSeconds(10));
      driver.<Ev>input("user_events").pipe(new Ev("buy", T0.plusSeconds(70)), wrong);
      driver.<Ev>input("user_events").pipe(new Ev("buy", T0.plusSeconds(200)), wrong);

      // Then minute 0 has not fired: the system stream's watermark (25 s) is still inside it
      assertThat(driver.output(out)).isEmpty();

      // When the system stream moves on to minute 2
      driver.<Ev>input("system_events").pipe(new Ev("deploy", null), T0.plusSeconds(130));

      // Then minutes 0 and 1 fire with each stream's count
      assertThat(driver.output(out)).containsExactly(
          Map.of("window", "2026-01-01T00:00:00Z", "user_events", 3L, "system_events", 1L, "total", 4L),
          Map.of("window", "2026-01-01T00:01:00Z", "user_events", 1L, "system_events", 0L, "total", 1L));
      driver.endAllInputs();
      assertThat(driver.output(out)).hasSize(4); // minutes 2 (1 system) and 3 (1 user) at the end
    }
    assertThat(seen).contains("user click", "user view", "user buy", "metric cpu");
  }

  @Test
  void a_handler_or_aggregator_naming_an_unknown_stream_is_refused() {
    MultiStreamProcessor<Ev> p = MultiStreamProcessor.<Ev>named("m").handler("clicks", e -> e);
    assertThatThrownBy(() -> p.pipeline(Map.of("views", Sources.<Ev>collection("views", List.of())),
        PipelineConfig.defaults())).isInstanceOf(ConfigurationException.class).hasMessageContaining("clicks");
    assertThatThrownBy(() -> p.handler("clicks", e -> e)).isInstanceOf(ConfigurationException.class);
  }
}
