package io.nip.window;

import io.nip.errors.ConfigurationException;
import java.time.Duration;
import java.util.Objects;

/**
 * Decides which windows an event belongs to. Use the factories of {@link TumblingWindow},
 * {@link SlidingWindow}, {@link SessionWindow} and {@link GlobalWindow}.
 *
 * <pre>{@code
 * events.keyBy(UserEvent::userId).window(TumblingWindow.of(Duration.ofMinutes(5))).aggregate(Aggregates.count());
 * }</pre>
 */
public abstract sealed class WindowAssigner permits TumblingWindow, SlidingWindow, SessionWindow, GlobalWindow {

  /** The kinds of windows. */
  public enum Kind { TUMBLING, SLIDING, SESSION, GLOBAL }

  WindowAssigner() {}

  /** @return the kind */
  public abstract Kind kind();

  /**
   * @return window length (tumbling, sliding) or gap (session); zero for global; one day for
   *     calendar days (whose real length is 23, 24 or 25 hours)
   */
  public abstract Duration size();

  /** @return distance between window starts (sliding; equals size for tumbling); zero otherwise */
  public Duration slide() {
    return size();
  }

  /**
   * @return how far window starts are shifted from the epoch (fixed windows) or from local midnight
   *     (calendar days), in {@code [0, slide)}; zero for sessions and global windows
   */
  public Duration offset() {
    return Duration.ZERO;
  }

  static Duration positive(String setting, Duration d) {
    Objects.requireNonNull(d, setting);
    if (d.isZero() || d.isNegative()) {
      throw ConfigurationException.invalid(setting, d, "must be positive");
    }
    if (d.toMillis() == 0) {
      throw ConfigurationException.invalid(setting, d, "must be at least 1 ms");
    }
    return d;
  }

  /**
   * Checks that {@code -period < offset < period} and normalizes it into {@code [0, period)}.
   *
   * @param offset the offset given
   * @param period the distance between window starts
   * @return the normalized offset, in whole milliseconds
   */
  static Duration normalizedOffset(Duration offset, Duration period) {
    Objects.requireNonNull(offset, "window.offset");
    if (offset.abs().compareTo(period) >= 0) {
      throw ConfigurationException.invalid("window.offset", offset,
          "must be shorter than the distance between window starts " + period);
    }
    if (offset.toNanos() % 1_000_000 != 0) {
      throw ConfigurationException.invalid("window.offset", offset, "must be whole milliseconds");
    }
    return Duration.ofMillis(Math.floorMod(offset.toMillis(), period.toMillis()));
  }
}
