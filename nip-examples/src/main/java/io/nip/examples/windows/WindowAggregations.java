package io.nip.examples.windows;

import io.nip.examples.UserEvent;
import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.Stream;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.window.Aggregate;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowAggregator;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tutorial's {@code WindowAggregator} snippet: per user and 1-minute tumbling window, the
 * event count, purchase revenue, average session duration (over events that carry one), distinct
 * users and the top 5 event types, combined into one result. Every aggregate is incremental.
 *
 * <pre>{@code
 * WindowAggregations.aggregates(events.keyBy(UserEvent::userId)).to(sink);
 * }</pre>
 */
public final class WindowAggregations {
  private WindowAggregations() {}

  /** @return the named aggregates and the combined result of the tutorial */
  public static WindowAggregator<UserEvent, Map<String, Object>> aggregator() {
    Aggregate<UserEvent, double[], Double> avgDuration = Aggregate.<UserEvent, double[], Double>of(() -> new double[2],
        (a, e) -> {
          if (e.properties().containsKey("duration")) {
            a[0] += e.number("duration");
            a[1]++;
          }
          return a;
        },
        (a, b) -> {
          a[0] += b[0];
          a[1] += b[1];
          return a;
        },
        a -> a[1] == 0 ? 0.0 : a[0] / a[1]).withAccumulatorSerde(io.nip.serde.Serdes.json(double[].class));
    return WindowAggregator.<UserEvent>create()
        .aggregate("count", Aggregates.count())
        .aggregate("sum", Aggregates.sum(e -> e.eventType().equals("purchase") ? e.number("amount") : 0))
        .aggregate("avg", avgDuration)
        .aggregate("unique", Aggregates.countDistinct(UserEvent::userId))
        .aggregate("top_n", Aggregates.topN(UserEvent::eventType, 5))
        .combined((key, start, end, a) -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("user_id", key);
          out.put("window_start", start.toString());
          out.put("window_end", end.toString());
          out.put("count", a.get("count"));
          out.put("revenue", a.get("sum"));
          out.put("avg_duration", a.get("avg"));
          out.put("unique_users", a.get("unique"));
          out.put("top_events", a.get("top_n"));
          return out;
        });
  }

  /**
   * @param byUser events keyed by user
   * @return one combined result per user and minute
   */
  public static Stream<Map<String, Object>> aggregates(KeyedStream<String, UserEvent> byUser) {
    return byUser.window(TumblingWindow.of(Duration.ofMinutes(1))).aggregate(aggregator())
        .map(WindowResult::value);
  }

  /**
   * Runs the aggregator over generated events and prints the results.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    Pipeline p = Pipeline.named("window-aggregations");
    aggregates(p.from(Sources.generator("events",
            GeneratorSpec.builder().events(5_000).keys(20).timeStep(Duration.ofSeconds(1)).build()))
        .map(UserEvent::fromGeneric).keyBy(UserEvent::userId))
        .to(Sinks.stdout("aggregates"));
    p.start().awaitTermination();
  }
}
