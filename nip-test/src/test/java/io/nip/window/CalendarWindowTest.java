package io.nip.window;

import static io.nip.window.WindowTestSupport.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.window.WindowTestSupport.Ev;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Windows shifted by an offset, and calendar days of a time zone across daylight-saving changes. */
class CalendarWindowTest {
  private static final ZoneId COPENHAGEN = ZoneId.of("Europe/Copenhagen");
  private final CollectingSink<WindowResult<String, Long>> out = Sinks.collecting("out");

  private List<String> run(WindowAssigner assigner, String... times) {
    Pipeline p = Pipeline.named("calendar");
    events(p, Duration.ZERO).keyBy(Ev::key).window(assigner).aggregate(Aggregates.count()).to(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      for (String t : times) {
        in.pipe(new Ev("a", Instant.parse(t).toEpochMilli()));
      }
      in.end();
      return d.output(out).stream().map(r -> r.start() + "/" + r.end() + "=" + r.value()).collect(Collectors.toList());
    }
  }

  @Test
  void when_days_are_epoch_aligned_then_a_copenhagen_day_is_cut_at_one_or_two_in_the_morning() {
    // Given 1-day tumbling windows without an offset, and events at 00:30 and 01:30 Copenhagen time (winter)
    List<String> got = run(TumblingWindow.of(Duration.ofDays(1)), "2026-01-16T23:30:00Z", "2026-01-17T00:30:00Z");
    // Then they fall in different UTC days
    assertThat(got).containsExactly("2026-01-16T00:00:00Z/2026-01-17T00:00:00Z=1",
        "2026-01-17T00:00:00Z/2026-01-18T00:00:00Z=1");
  }

  @Test
  void when_days_have_an_offset_then_windows_start_at_that_time_of_the_utc_day() {
    // Given 1-day windows shifted by -1 h (midnight in UTC+1)
    List<String> got = run(TumblingWindow.of(Duration.ofDays(1)).withOffset(Duration.ofHours(-1)),
        "2026-01-16T23:30:00Z", "2026-01-17T00:30:00Z", "2026-01-17T22:59:59Z");
    // Then the events of one Copenhagen winter day share a window
    assertThat(got).containsExactly("2026-01-16T23:00:00Z/2026-01-17T23:00:00Z=3");
  }

  @Test
  void when_sliding_windows_have_an_offset_then_they_start_at_that_offset_of_every_slide() {
    // Given 1 h windows every 30 min, starting at :15 and :45
    List<String> got = run(SlidingWindow.of(Duration.ofHours(1), Duration.ofMinutes(30)).withOffset(Duration.ofMinutes(15)),
        "2026-01-17T10:20:00Z");
    // Then the event is in [09:45, 10:45) and [10:15, 11:15)
    assertThat(got).containsExactly("2026-01-17T09:45:00Z/2026-01-17T10:45:00Z=1",
        "2026-01-17T10:15:00Z/2026-01-17T11:15:00Z=1");
  }

  @Test
  void when_calendar_days_cross_the_spring_change_then_the_day_lasts_23_hours() {
    // Given calendar days in Copenhagen, and events at the first and last minute of 2026-03-29 local time
    List<String> got = run(TumblingWindow.calendarDays(COPENHAGEN), "2026-03-28T23:00:00Z", "2026-03-29T21:59:59Z",
        "2026-03-29T22:00:00Z");
    // Then the 29th runs from 00:00 CET to 00:00 CEST: 23 hours
    assertThat(got).containsExactly("2026-03-28T23:00:00Z/2026-03-29T22:00:00Z=2",
        "2026-03-29T22:00:00Z/2026-03-30T22:00:00Z=1");
  }

  @Test
  void when_calendar_days_cross_the_autumn_change_then_the_day_lasts_25_hours() {
    // Given calendar days in Copenhagen and events on 2026-10-25 local time, one in the repeated hour
    List<String> got = run(TumblingWindow.calendarDays(COPENHAGEN), "2026-10-24T22:00:00Z", "2026-10-25T00:30:00Z",
        "2026-10-25T01:30:00Z", "2026-10-25T22:59:59Z");
    // Then the 25th runs from 00:00 CEST to 00:00 CET: 25 hours
    assertThat(got).containsExactly("2026-10-24T22:00:00Z/2026-10-25T23:00:00Z=4");
  }

  @Test
  void when_calendar_days_have_an_offset_then_each_day_starts_at_that_local_time() {
    // Given Copenhagen days starting at 06:00 local time, across the spring change
    List<String> got = run(TumblingWindow.calendarDays(COPENHAGEN).withOffset(Duration.ofHours(6)),
        "2026-03-29T03:59:59Z", "2026-03-29T04:00:00Z");
    // Then 05:59:59 CEST belongs to the day of the 28th (23 hours long), 06:00 CEST to the 29th
    assertThat(got).containsExactly("2026-03-28T05:00:00Z/2026-03-29T04:00:00Z=1",
        "2026-03-29T04:00:00Z/2026-03-30T04:00:00Z=1");
  }

  @Test
  void when_an_offset_is_as_long_as_the_window_then_the_configuration_is_rejected() {
    assertThatThrownBy(() -> TumblingWindow.of(Duration.ofHours(1)).withOffset(Duration.ofHours(1)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("window.offset");
    assertThatThrownBy(() -> SlidingWindow.of(Duration.ofHours(1), Duration.ofMinutes(10)).withOffset(Duration.ofMinutes(-10)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("window.offset");
    assertThat(TumblingWindow.of(Duration.ofHours(1)).withOffset(Duration.ofMinutes(-15)).offset())
        .isEqualTo(Duration.ofMinutes(45));
  }
}
