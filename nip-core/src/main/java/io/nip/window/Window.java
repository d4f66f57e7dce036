package io.nip.window;

import java.time.Instant;

/**
 * A half-open span of event time {@code [start, end)}: an event exactly at {@code end} belongs to
 * the next window. The global window spans {@link Instant#MIN} to {@link Instant#MAX}.
 *
 * @param start inclusive start
 * @param end exclusive end
 */
public record Window(Instant start, Instant end) {

  /**
   * @param t an instant
   * @return whether {@code start <= t < end}
   */
  public boolean contains(Instant t) {
    return !t.isBefore(start) && t.isBefore(end);
  }
}
