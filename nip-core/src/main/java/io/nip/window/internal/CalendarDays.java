package io.nip.window.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Local calendar days of a zone (from midnight, or from {@code offset} after it, to the same time
 * the next day): 23, 24 or 25 hours long across daylight-saving changes. A local start time that
 * falls in a gap moves forward by the gap (as {@link ZonedDateTime#of} resolves it); starts are
 * increasing in the day, so a timestamp belongs to exactly one day.
 *
 * <p>The day computed last is cached with the start of the day before it: consecutive events of one
 * day (asking for their day, its end, and the day before, which does not contain them) cost no
 * zone arithmetic and no allocation. Confined to the owning operator's task thread.
 */
final class CalendarDays extends FixedWindows {
  private final ZoneId zone;
  private final long offsetMillis;
  private long cachedPrevious = 2;
  private long cachedStart = 1;
  private long cachedEnd = 0;

  CalendarDays(ZoneId zone, long offsetMillis) {
    this.zone = zone;
    this.offsetMillis = offsetMillis;
  }

  @Override
  public long latestStart(long ts) {
    if (ts >= cachedStart && ts < cachedEnd) {
      return cachedStart;
    }
    LocalDate day = LocalDateTime.ofInstant(Instant.ofEpochMilli(ts), zone).minusNanos(offsetMillis * 1_000_000)
        .toLocalDate();
    while (startOf(day) > ts) {
      day = day.minusDays(1);
    }
    while (startOf(day.plusDays(1)) <= ts) {
      day = day.plusDays(1);
    }
    cachedPrevious = startOf(day.minusDays(1));
    cachedStart = startOf(day);
    cachedEnd = startOf(day.plusDays(1));
    return cachedStart;
  }

  @Override
  public long earlierStart(long start) {
    if (start == cachedStart) {
      return cachedPrevious;
    }
    return start == Long.MIN_VALUE ? Long.MIN_VALUE : latestStart(start - 1);
  }

  @Override
  public long end(long start) {
    if (start == cachedStart) {
      return cachedEnd;
    }
    if (start == cachedPrevious) {
      return cachedStart;
    }
    latestStart(start);
    return cachedEnd;
  }

  private long startOf(LocalDate day) {
    try {
      ZonedDateTime z = offsetMillis == 0 ? day.atStartOfDay(zone)
          : ZonedDateTime.of(day.atStartOfDay().plusNanos(offsetMillis * 1_000_000), zone);
      return z.toInstant().toEpochMilli();
    } catch (ArithmeticException | DateTimeException e) {
      return day.getYear() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }
}
