package io.nip.window;

import java.time.Duration;

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

  /** @return window length (tumbling, sliding) or gap (session); zero for global */
  public abstract Duration size();

  /** @return distance between window starts (sliding; equals size for tumbling); zero otherwise */
  public Duration slide() {
    return size();
  }

  static Duration positive(String setting, Duration d) {
    java.util.Objects.requireNonNull(d, setting);
    if (d.isZero() || d.isNegative()) {
      throw io.nip.errors.ConfigurationException.invalid(setting, d, "must be positive");
    }
    if (d.toMillis() == 0) {
      throw io.nip.errors.ConfigurationException.invalid(setting, d, "must be at least 1 ms");
    }
    return d;
  }
}
