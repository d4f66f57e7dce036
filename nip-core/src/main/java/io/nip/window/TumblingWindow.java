package io.nip.window;

import java.time.Duration;

/**
 * Fixed-size, non-overlapping windows aligned to the epoch: with a size of 5 minutes, windows
 * start at :00, :05, :10 ... UTC.
 *
 * <pre>{@code
 * keyed.window(TumblingWindow.of(Duration.ofMinutes(5)))
 * }</pre>
 */
public final class TumblingWindow extends WindowAssigner {
  private final Duration size;

  private TumblingWindow(Duration size) {
    this.size = size;
  }

  /** @param size window length, at least 1 ms @return the assigner */
  public static TumblingWindow of(Duration size) {
    return new TumblingWindow(positive("window.size", size));
  }

  @Override
  public Kind kind() {
    return Kind.TUMBLING;
  }

  @Override
  public Duration size() {
    return size;
  }

  @Override
  public String toString() {
    return "TumblingWindow(" + size + ")";
  }
}
