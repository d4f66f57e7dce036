package io.nip.window;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.Stream;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Shared fixtures of the window tests: a tiny event type and a pipeline reading it. */
final class WindowTestSupport {
  private WindowTestSupport() {}

  record Ev(String key, long t, double v, String type) {
    Ev(String key, long t) {
      this(key, t, 1.0, "click");
    }
  }

  static Instant at(long millis) {
    return Instant.ofEpochMilli(millis);
  }

  static Stream<Ev> events(Pipeline p, Duration bound) {
    return p.from(Sources.collection("in", List.<Ev>of()),
        WatermarkStrategy.<Ev>boundedOutOfOrderness(bound).withTimestamps(e -> at(e.t())));
  }

  static Pipeline pipeline(PipelineConfig config) {
    return Pipeline.named("windows", config);
  }
}
