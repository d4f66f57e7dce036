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
import io.nip.window.SessionWindow;
import io.nip.window.SlidingWindow;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowAggregator;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The tutorial's "Window Types": per user, 1-minute tumbling windows counting events, 5-minute
 * windows sliding every minute counting events and distinct event types, and sessions closed by 30
 * minutes of inactivity with their duration. Each result is a map shaped like the tutorial's dict.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.named("window-types");
 * WindowTypes.tumbling(p.from(source).keyBy(UserEvent::userId)).to(Sinks.stdout("tumbling"));
 * }</pre>
 */
public final class WindowTypes {
  private WindowTypes() {}

  /**
   * Tumbling window (fixed-size, non-overlapping) of 1 minute.
   *
   * @param byUser events keyed by user
   * @return one map per user and minute: user_id, window_start, event_count, window_type
   */
  public static Stream<Map<String, Object>> tumbling(KeyedStream<String, UserEvent> byUser) {
    return byUser.window(TumblingWindow.of(Duration.ofMinutes(1)))
        .aggregate(Aggregates.<UserEvent>count())
        .map(r -> row(r, "event_count", r.value(), "window_type", "tumbling"));
  }

  /**
   * Sliding window of 5 minutes advancing every minute.
   *
   * @param byUser events keyed by user
   * @return one map per user and window: user_id, window_size, slide_interval, event_count,
   *     unique_event_types
   */
  public static Stream<Map<String, Object>> sliding(KeyedStream<String, UserEvent> byUser) {
    WindowAggregator<UserEvent, Map<String, Object>> agg = WindowAggregator.<UserEvent>create()
        .aggregate("event_count", Aggregates.count())
        .aggregate("unique_event_types", Aggregates.countDistinct(UserEvent::eventType));
    return byUser.window(SlidingWindow.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
        .aggregate(agg)
        .map(r -> row(r, "window_size", "5min", "slide_interval", "1min",
            "event_count", r.value().get("event_count"), "unique_event_types", r.value().get("unique_event_types")));
  }

  /**
   * Session window closed by more than 30 minutes of inactivity (exactly 30 minutes continues a session).
   *
   * @param byUser events keyed by user
   * @return one map per session: user_id, session_id, duration_seconds, event_count, session_start,
   *     session_end (first and last event times)
   */
  public static Stream<Map<String, Object>> session(KeyedStream<String, UserEvent> byUser) {
    Aggregate<UserEvent, long[], long[]> span = Aggregate.<UserEvent, long[], long[]>of(
        () -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0},
        (a, e) -> {
          long t = e.eventTime().toEpochMilli();
          a[0] = Math.min(a[0], t);
          a[1] = Math.max(a[1], t);
          a[2]++;
          return a;
        },
        (a, b) -> {
          a[0] = Math.min(a[0], b[0]);
          a[1] = Math.max(a[1], b[1]);
          a[2] += b[2];
          return a;
        },
        a -> a.clone()).withAccumulatorSerde(io.nip.serde.Serdes.json(long[].class));
    return byUser.window(SessionWindow.withInactivityGap(Duration.ofMinutes(30)))
        .aggregate(span)
        .map(r -> {
          long[] a = r.value();
          String id = UUID.nameUUIDFromBytes((r.key() + "@" + r.start()).getBytes(java.nio.charset.StandardCharsets.UTF_8))
              .toString();
          return row(r, "session_id", id, "duration_seconds", (a[1] - a[0]) / 1000.0, "event_count", a[2],
              "session_start", Instant.ofEpochMilli(a[0]).toString(),
              "session_end", Instant.ofEpochMilli(a[1]).toString());
        });
  }

  private static Map<String, Object> row(WindowResult<String, ?> r, Object... pairs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user_id", r.key());
    m.put("window_start", r.start().toString());
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /**
   * Runs the three window types over generated events and prints the results.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    Pipeline p = Pipeline.named("window-types");
    KeyedStream<String, UserEvent> byUser = p.from(Sources.generator("events",
            GeneratorSpec.builder().events(5_000).keys(20).timeStep(Duration.ofSeconds(2)).build()))
        .map(UserEvent::fromGeneric)
        .keyBy(UserEvent::userId);
    tumbling(byUser).to(Sinks.stdout("tumbling"));
    sliding(byUser).to(Sinks.stdout("sliding"));
    session(byUser).to(Sinks.stdout("session"));
    p.start().awaitTermination();
  }

}
