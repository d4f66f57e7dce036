package io.nip.window;

import io.nip.errors.ConfigurationException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Fixed-size, non-overlapping windows. {@link #of} aligns them to the epoch (with a size of 5
 * minutes, windows start at :00, :05, :10 ... UTC), {@link #withOffset} shifts them, and
 * {@link #calendarDays} cuts local calendar days of a time zone (23, 24 or 25 hours long across
 * daylight-saving changes).
 *
 * <pre>{@code
 * keyed.window(TumblingWindow.of(Duration.ofMinutes(5)))
 * keyed.window(TumblingWindow.calendarDays(ZoneId.of("Europe/Copenhagen")))
 * }</pre>
 */
public final class TumblingWindow extends WindowAssigner {
  private static final Duration DAY = Duration.ofDays(1);
  private final Duration size;
  private final Duration offset;
  private final ZoneId zone;

  private TumblingWindow(Duration size, Duration offset, ZoneId zone) {
    this.size = size;
    this.offset = offset;
    this.zone = zone;
  }

  /**
   * @param size window length, at least 1 ms
   * @return the assigner, windows aligned to the epoch
   */
  public static TumblingWindow of(Duration size) {
    return new TumblingWindow(positive("window.size", size), Duration.ZERO, null);
  }

  /**
   * Windows from local midnight to the next local midnight in {@code zone}: a day is 23, 24 or 25
   * hours long, as the zone's rules say (in Europe/Copenhagen 2026-03-29 lasts 23 hours and
   * 2026-10-25 lasts 25). A day whose midnight does not exist starts at the first instant after it.
   *
   * <pre>{@code
   * keyed.window(TumblingWindow.calendarDays(ZoneId.of("Europe/Copenhagen")).withOffset(Duration.ofHours(6)))
   * }</pre>
   *
   * @param zone the time zone of the days
   * @return the assigner
   */
  public static TumblingWindow calendarDays(ZoneId zone) {
    return new TumblingWindow(DAY, Duration.ZERO, Objects.requireNonNull(zone, "zone"));
  }

  /**
   * Shifts window starts: {@code of(Duration.ofDays(1)).withOffset(Duration.ofHours(-2))} cuts
   * days from 22:00 to 22:00 UTC (midnight in UTC+2); on {@link #calendarDays} it moves the start
   * of each day from local midnight to that local time of day.
   *
   * @param offset the shift, strictly between minus and plus the window size, whole milliseconds
   * @return a copy with that offset (normalized into {@code [0, size)})
   * @throws ConfigurationException when the offset is as long as the size or longer
   */
  public TumblingWindow withOffset(Duration offset) {
    return new TumblingWindow(size, normalizedOffset(offset, size), zone);
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
  public Duration offset() {
    return offset;
  }

  /** @return the zone of calendar days, or null for fixed-length windows */
  public ZoneId zone() {
    return zone;
  }

  @Override
  public String toString() {
    String off = offset.isZero() ? "" : ", offset " + offset;
    return zone != null ? "TumblingWindow(calendar days in " + zone + off + ")" : "TumblingWindow(" + size + off + ")";
  }
}
