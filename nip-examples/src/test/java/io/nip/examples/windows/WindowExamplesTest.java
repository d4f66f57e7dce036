package io.nip.examples.windows;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.UserEvent;
import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Pipeline;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowExamplesTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  private static UserEvent ev(String user, String type, long secondsAfterT0, Map<String, Object> props) {
    return new UserEvent(null, user, type, T0.plusSeconds(secondsAfterT0), props);
  }

  @Test
  void the_three_window_types_give_the_tutorial_results() {
    Pipeline p = Pipeline.named("types");
    KeyedStream<String, UserEvent> byUser = p.from(Sources.collection("events", List.<UserEvent>of()))
        .keyBy(UserEvent::userId);
    CollectingSink<Map<String, Object>> tumbling = Sinks.collecting("tumbling");
    CollectingSink<Map<String, Object>> sliding = Sinks.collecting("sliding");
    CollectingSink<Map<String, Object>> session = Sinks.collecting("session");
    WindowTypes.tumbling(byUser).to(tumbling);
    WindowTypes.sliding(byUser).to(sliding);
    WindowTypes.session(byUser).to(session);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<UserEvent> in = d.input("events");
      in.pipe(ev("u1", "click", 10, Map.of())).pipe(ev("u1", "view", 50, Map.of()))
          .pipe(ev("u1", "click", 70, Map.of())).pipe(ev("u1", "click", 4000, Map.of()));
      in.end();

      assertThat(d.output(tumbling)).extracting(m -> m.get("window_start") + "=" + m.get("event_count"))
          .containsExactly("2026-01-17T17:00:00Z=2", "2026-01-17T17:01:00Z=1", "2026-01-17T18:06:00Z=1");
      assertThat(d.output(sliding)).filteredOn(m -> m.get("window_start").equals("2026-01-17T16:57:00Z"))
          .singleElement().satisfies(m -> {
            assertThat(m).containsEntry("event_count", 3L).containsEntry("unique_event_types", 2L)
                .containsEntry("window_size", "5min");
          });
      assertThat(d.output(session)).hasSize(2);
      assertThat(d.output(session).get(0)).containsEntry("event_count", 3L).containsEntry("duration_seconds", 60.0)
          .containsEntry("session_start", "2026-01-17T17:00:10Z").containsEntry("session_end", "2026-01-17T17:01:10Z");
    }
  }

  @Test
  void the_window_aggregator_combines_the_tutorial_aggregates() {
    Pipeline p = Pipeline.named("aggregations");
    CollectingSink<Map<String, Object>> out = Sinks.collecting("out");
    WindowAggregations.aggregates(p.from(Sources.collection("events", List.<UserEvent>of())).keyBy(UserEvent::userId))
        .to(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<UserEvent> in = d.input("events");
      in.pipe(ev("u1", "purchase", 1, Map.of("amount", 20.0)))
          .pipe(ev("u1", "purchase", 2, Map.of("amount", 5.5, "duration", 30)))
          .pipe(ev("u1", "page_view", 3, Map.of("duration", 10)));
      in.end();
      Map<String, Object> r = d.output(out).get(0);
      assertThat(r).containsEntry("user_id", "u1").containsEntry("count", 3L).containsEntry("revenue", 25.5)
          .containsEntry("avg_duration", 20.0).containsEntry("unique_users", 1L)
          .containsEntry("window_end", "2026-01-17T17:01:00Z");
      assertThat(r.get("top_events")).isEqualTo(List.of(Map.entry("purchase", 2L), Map.entry("page_view", 1L)));
    }
  }
}
