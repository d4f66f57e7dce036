package io.nip.pipeline;

import io.nip.errors.ConfigurationException;
import java.util.Map;
import java.util.Set;

/**
 * The outputs of {@link Stream#route}: one stream per route name plus the default route.
 *
 * @param <T> the value type
 */
public final class RoutedStreams<T> {
  private final Map<String, Stream<T>> streams;

  RoutedStreams(Map<String, Stream<T>> streams) {
    this.streams = streams;
  }

  /**
   * @param route a route name given to {@link Routes#when}, or {@link Routes#DEFAULT}
   * @return the stream of that route
   */
  public Stream<T> get(String route) {
    Stream<T> s = streams.get(route);
    if (s == null) {
      throw ConfigurationException.invalid("route", "'" + route + "'", "must be one of " + streams.keySet());
    }
    return s;
  }

  /** @return the stream of records that matched no route */
  public Stream<T> defaultRoute() {
    return streams.get(Routes.DEFAULT);
  }

  /** @return every route name, the default last */
  public Set<String> names() {
    return streams.keySet();
  }
}
