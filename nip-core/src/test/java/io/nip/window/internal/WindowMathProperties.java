package io.nip.window.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.window.SlidingWindow;
import io.nip.window.TumblingWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The window arithmetic checked directly against brute-force definitions. */
class WindowMathProperties {

  /** Every start at {@code offset + k * slide} near {@code ts} whose window contains it, latest first. */
  private static List<Long> bruteForceStarts(long ts, long size, long slide, long offset) {
    List<Long> out = new ArrayList<>();
    long k0 = (ts - offset) / slide + 2;
    for (long k = k0; k > k0 - size / slide - 4; k--) {
      long s = offset + k * slide;
      if (s <= ts && ts < s + size) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<Long> starts(FixedWindows math, long ts) {
    List<Long> out = new ArrayList<>();
    for (long s = math.latestStart(ts); math.contains(s, ts); s = math.earlierStart(s)) {
      out.add(s);
      assertThat(math.end(s) > s || math.end(s) == Long.MAX_VALUE).isTrue();
      if (s == Long.MIN_VALUE) {
        break;
      }
    }
    return out;
  }

  @Property(tries = 300)
  void tumbling_and_sliding_windows_contain_exactly_the_brute_force_ones(
      @ForAll @LongRange(min = -1_000_000_000L, max = 1_000_000_000L) long ts,
      @ForAll @IntRange(min = 1, max = 50) int slide, @ForAll @IntRange(min = 1, max = 6) int windowsPerEvent,
      @ForAll @IntRange(min = -49, max = 49) int offset) {
    int off = Math.floorMod(offset, slide);
    long size = (long) slide * windowsPerEvent;
    FixedWindows math = FixedWindows.of(SlidingWindow.of(Duration.ofMillis(size), Duration.ofMillis(slide))
        .withOffset(Duration.ofMillis(off)));
    assertThat(starts(math, ts)).isEqualTo(bruteForceStarts(ts, size, slide, off));
    FixedWindows tumbling = FixedWindows.of(TumblingWindow.of(Duration.ofMillis(slide)).withOffset(Duration.ofMillis(off)));
    assertThat(starts(tumbling, ts)).isEqualTo(bruteForceStarts(ts, slide, slide, off));
  }

  @Property(tries = 100)
  void windows_near_the_ends_of_time_saturate_instead_of_overflowing(
      @ForAll @LongRange(min = 0, max = 10_000) long fromEnd, @ForAll @IntRange(min = 1, max = 5000) int slide) {
    FixedWindows math = FixedWindows.of(SlidingWindow.of(Duration.ofMillis(slide * 3L), Duration.ofMillis(slide)));
    long ts = Long.MAX_VALUE - fromEnd;
    List<Long> got = starts(math, ts);
    assertThat(got).hasSize(3).allMatch(s -> s <= ts);
    long low = Long.MIN_VALUE + fromEnd;
    assertThat(starts(math, low)).isNotEmpty().allMatch(s -> s <= low);
  }

  @Test
  void an_event_at_the_largest_timestamp_falls_in_a_window_that_ends_at_the_end_of_time() {
    FixedWindows math = FixedWindows.of(TumblingWindow.of(Duration.ofMinutes(1)));
    long s = math.latestStart(Long.MAX_VALUE);
    assertThat(math.end(s)).isEqualTo(Long.MAX_VALUE);
    assertThat(math.contains(s, Long.MAX_VALUE)).isTrue();
    assertThat(FixedWindows.saturatedAdd(Long.MAX_VALUE - 1, 60_000)).isEqualTo(Long.MAX_VALUE);
    assertThat(FixedWindows.saturatedAdd(Long.MIN_VALUE + 1, -60_000)).isEqualTo(Long.MIN_VALUE);
  }

  @Provide
  Arbitrary<ZoneId> zones() {
    return Arbitraries.of("Europe/Copenhagen", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
        "America/Sao_Paulo", "UTC", "Pacific/Apia").map(ZoneId::of);
  }

  @Property(tries = 300)
  void calendar_days_are_the_local_days_of_the_zone(@ForAll("zones") ZoneId zone,
      @ForAll @LongRange(min = 0, max = 4_102_444_800_000L) long ts, @ForAll @IntRange(min = 0, max = 23) int hour) {
    FixedWindows math = FixedWindows.of(TumblingWindow.calendarDays(zone).withOffset(Duration.ofHours(hour)));
    // brute force: the local day starts of the days around ts; ts belongs to the last start at or before it
    LocalDate d = Instant.ofEpochMilli(ts).atZone(zone).toLocalDate();
    TreeMap<Long, Long> startToEnd = new TreeMap<>();
    for (int i = -2; i <= 2; i++) {
      startToEnd.put(startOf(d.plusDays(i), hour, zone), startOf(d.plusDays(i + 1), hour, zone));
    }
    long expectedStart = startToEnd.floorKey(ts);
    assertThat(starts(math, ts)).containsExactly(expectedStart);
    assertThat(math.end(expectedStart)).isEqualTo(startToEnd.get(expectedStart));
    assertThat(math.earlierStart(expectedStart)).isEqualTo(startToEnd.lowerKey(expectedStart));
  }

  private static long startOf(LocalDate day, int hour, ZoneId zone) {
    return day.atStartOfDay().plusHours(hour).atZone(zone).toInstant().toEpochMilli();
  }

  @Test
  void daylight_saving_days_in_copenhagen_last_23_and_25_hours() {
    FixedWindows days = FixedWindows.of(TumblingWindow.calendarDays(ZoneId.of("Europe/Copenhagen")));
    long spring = Instant.parse("2026-03-28T23:00:00Z").toEpochMilli();
    long autumn = Instant.parse("2026-10-24T22:00:00Z").toEpochMilli();
    assertThat(days.latestStart(spring + 3_600_000)).isEqualTo(spring);
    assertThat(days.end(spring) - spring).isEqualTo(Duration.ofHours(23).toMillis());
    assertThat(days.latestStart(autumn + 24 * 3_600_000L)).isEqualTo(autumn);
    assertThat(days.end(autumn) - autumn).isEqualTo(Duration.ofHours(25).toMillis());
  }

  /** Brute-force sessions: sort the times, cut at gaps of at least {@code gap}. */
  private static List<long[]> bruteForceSessions(List<Long> times, long gap) {
    List<long[]> sessions = new ArrayList<>();
    times.stream().sorted().forEach(t -> {
      long[] last = sessions.isEmpty() ? null : sessions.get(sessions.size() - 1);
      if (last != null && t < last[1]) {
        last[1] = Math.max(last[1], t + gap);
      } else {
        sessions.add(new long[] {t, t + gap});
      }
    });
    return sessions;
  }

  @Property(tries = 300)
  void merging_each_event_with_the_sessions_it_overlaps_gives_the_brute_force_sessions(
      @ForAll("times") List<Long> times, @ForAll @IntRange(min = 1, max = 40) int gap) {
    TreeMap<Long, long[]> open = new TreeMap<>();
    List<long[]> overlapping = new ArrayList<>();
    for (long t : times) {
      long start = t;
      long end = Sessions.end(t, gap);
      overlapping.clear();
      Sessions.overlapping(open, w -> w[1], start, end, overlapping);
      for (long[] w : overlapping) {
        start = Math.min(start, w[0]);
        end = Math.max(end, w[1]);
        open.remove(w[0]);
      }
      open.put(start, new long[] {start, end});
    }
    assertThat(open.values()).usingRecursiveFieldByFieldElementComparator()
        .containsExactlyElementsOf(bruteForceSessions(times, gap));
  }

  @Provide
  Arbitrary<List<Long>> times() {
    return Arbitraries.longs().between(0, 300).list().ofMaxSize(40);
  }
}
