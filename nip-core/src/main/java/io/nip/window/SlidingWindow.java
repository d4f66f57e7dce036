package io.nip.window;

import io.nip.errors.ConfigurationException;
import java.time.Duration;

/**
 * Fixed-size windows that start every {@code slide} (hopping windows), aligned to the epoch; an
 * event belongs to {@code size / slide} windows.
 *
 * <pre>{@code
 * keyed.window(SlidingWindow.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
 * }</pre>
 */
public final class SlidingWindow extends WindowAssigner {
  private final Duration size;
  private final Duration slide;

  private SlidingWindow(Duration size, Duration slide) {
    this.size = size;
    this.slide = slide;
  }

  /**
   * @param size window length
   * @param slide distance between starts; at most {@code size}, and {@code size} a multiple of it
   * @return the assigner
   */
  public static SlidingWindow of(Duration size, Duration slide) {
    positive("window.size", size);
    positive("window.slide", slide);
    if (slide.compareTo(size) > 0) {
      throw ConfigurationException.invalid("window.slide", slide, "must not exceed the size " + size);
    }
    if (size.toMillis() % slide.toMillis() != 0) {
      throw ConfigurationException.invalid("window.slide", slide, "must divide the size " + size);
    }
    return new SlidingWindow(size, slide);
  }

  @Override
  public Kind kind() {
    return Kind.SLIDING;
  }

  @Override
  public Duration size() {
    return size;
  }

  @Override
  public Duration slide() {
    return slide;
  }

  @Override
  public String toString() {
    return "SlidingWindow(" + size + ", " + slide + ")";
  }
}
