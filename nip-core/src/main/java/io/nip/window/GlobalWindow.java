package io.nip.window;

import io.nip.errors.ConfigurationException;
import java.time.Duration;

/**
 * One window per key spanning all time, emitted by a trigger: every N events of the key, or every
 * interval of processing time. Each firing covers the events since the previous firing (the window
 * is purged after it fires); at the end of input what remains fires as the final result.
 *
 * <pre>{@code
 * keyed.window(GlobalWindow.everyCount(100))
 * }</pre>
 */
public final class GlobalWindow extends WindowAssigner {
  private final long count;
  private final Duration interval;

  private GlobalWindow(long count, Duration interval) {
    this.count = count;
    this.interval = interval;
  }

  /**
   * @param n events per key between firings, at least 1
   * @return the assigner
   */
  public static GlobalWindow everyCount(long n) {
    if (n < 1) {
      throw ConfigurationException.invalid("window.trigger.count", n, "must be at least 1");
    }
    return new GlobalWindow(n, null);
  }

  /**
   * @param interval processing time between firings, at least 1 ms
   * @return the assigner
   */
  public static GlobalWindow every(Duration interval) {
    return new GlobalWindow(0, positive("window.trigger.interval", interval));
  }

  @Override
  public Kind kind() {
    return Kind.GLOBAL;
  }

  @Override
  public Duration size() {
    return Duration.ZERO;
  }

  @Override
  public Duration slide() {
    return Duration.ZERO;
  }

  /** @return events per firing, or 0 when the trigger is time-based */
  public long triggerCount() {
    return count;
  }

  /** @return processing time between firings, or null when the trigger counts events */
  public Duration triggerInterval() {
    return interval;
  }

  @Override
  public String toString() {
    return count > 0 ? "GlobalWindow(every " + count + " events)" : "GlobalWindow(every " + interval + ")";
  }
}
