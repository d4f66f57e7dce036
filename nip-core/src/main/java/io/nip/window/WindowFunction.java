package io.nip.window;

import java.util.List;

/**
 * A function over all events of a window, for {@code WindowedStream.process}. This is the costly
 * path: the window keeps every event until it fires. Prefer an {@link Aggregate}.
 *
 * <pre>{@code
 * keyed.window(TumblingWindow.of(Duration.ofMinutes(1)))
 *     .process((user, window, events) -> Map.of("user_id", user, "event_count", events.size()));
 * }</pre>
 *
 * @param <K> key type
 * @param <T> event type
 * @param <R> result type
 */
@FunctionalInterface
public interface WindowFunction<K, T, R> {
  /**
   * @param key the key
   * @param window the window
   * @param events its events, in arrival order
   * @return the result
   */
  R apply(K key, Window window, List<T> events);
}
