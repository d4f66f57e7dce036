package io.nip.window.internal;

import java.util.List;
import java.util.NavigableMap;
import java.util.function.ToLongFunction;

/**
 * Session arithmetic: an event at {@code t} spans {@code [t, t + span)} (saturated at
 * {@link Long#MAX_VALUE}), where the span is the gap ({@code SessionWindow.withGap}) or the gap
 * plus 1 ms ({@code SessionWindow.withInactivityGap}: {@code [t, t + gap]} in whole milliseconds) and merges with every session of its key that this span overlaps; the
 * merged session spans them all. Sessions of a key never overlap each other, so ordered by start
 * they are also ordered by end, and the overlapping ones are found by walking back from the span's
 * end until a session ends at or before its start.
 */
public final class Sessions {
  private Sessions() {}

  /**
   * @param ts event time, epoch millis
   * @param gap the span in millis: the gap, plus 1 for an inclusive gap
   * @return the end of the event's own span
   */
  public static long end(long ts, long gap) {
    return FixedWindows.saturatedAdd(ts, gap);
  }

  /**
   * Collects the sessions that {@code [start, end)} overlaps, latest first.
   *
   * @param open the key's sessions by start
   * @param endOf a session's exclusive end
   * @param start the span's start
   * @param end the span's exclusive end
   * @param into receives the overlapping sessions (not cleared first)
   * @param <W> session type
   */
  public static <W> void overlapping(NavigableMap<Long, W> open, ToLongFunction<W> endOf, long start, long end,
      List<W> into) {
    for (W w : open.headMap(end, false).descendingMap().values()) {
      if (endOf.applyAsLong(w) <= start) {
        return;
      }
      into.add(w);
    }
  }
}
