package io.nip.window;

import io.nip.errors.ConfigurationException;
import java.time.Duration;

/**
 * Fixed-size windows that start every {@code slide} (hopping windows), aligned to the epoch (or
 * shifted by {@link #withOffset}); an event belongs to {@code size / slide} windows.
 *
 * <pre>{@code
 * keyed.window(SlidingWindow.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
 * }</pre>
 */
public final class SlidingWindow extends WindowAssigner {
  private final Duration size;
  private final Duration slide;
  private final Duration offset;

  private SlidingWindow(Duration size, Duration slide, Duration offset) {
    this.size = size;
    this.slide = slide;
    this.offset = offset;
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
    return new SlidingWindow(size, slide, Duration.ZERO);
  }

  /**
   * Shifts window starts from the epoch: with a slide of one hour and an offset of 15 minutes,
   * windows start at :15 of every hour.
   *
   * @param offset the shift, strictly between minus and plus the slide, whole milliseconds
   * @return a copy with that offset (normalized into {@code [0, slide)})
   * @throws ConfigurationException when the offset is as long as the slide or longer
   */
  public SlidingWindow withOffset(Duration offset) {
    return new SlidingWindow(size, slide, normalizedOffset(offset, slide));
  }

  @Override
  public Duration offset() {
    return offset;
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
    return "SlidingWindow(" + size + ", " + slide + (offset.isZero() ? "" : ", offset " + offset) + ")";
  }
}
