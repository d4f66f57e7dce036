package io.nip.window;

import static io.nip.window.WindowTestSupport.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.sink.CollectingSink;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.window.WindowTestSupport.Ev;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two gap conventions at their boundary (gap exactly, gap ± 1 ms): {@code withGap} starts a new
 * session at exactly the gap, {@code withInactivityGap} continues it; merging, firing time, lateness
 * and the purge of closed sessions follow the same span (out-of-orderness bound 0 throughout).
 */
class SessionGapBoundaryTest {
  private static final Duration GAP = Duration.ofSeconds(10);
  private final CountingWindows windows = new CountingWindows();
  private final CollectingSink<Ev> late = windows.late;

  private Pipeline counting(SessionWindow assigner, Duration lateness) {
    return windows.counting(assigner, lateness, Duration.ZERO);
  }

  private List<String> results(PipelineTestDriver d) {
    return windows.results(d);
  }

  private List<String> run(SessionWindow assigner, Ev... events) {
    try (PipelineTestDriver d = PipelineTestDriver.of(windows.counting(assigner, Duration.ZERO, Duration.ofMinutes(1)))) {
      TestInput<Ev> in = d.input("in");
      for (Ev e : events) {
        in.pipe(e);
      }
      in.end();
      return results(d);
    }
  }

  @Test
  void when_the_gap_is_exclusive_then_exactly_the_gap_starts_a_new_session() {
    assertThat(run(SessionWindow.withGap(GAP), new Ev("a", 0), new Ev("a", 9_999)))
        .containsExactly("a[0,19999)=2:ON_TIME");
    assertThat(run(SessionWindow.withGap(GAP), new Ev("a", 0), new Ev("a", 10_000)))
        .containsExactly("a[0,10000)=1:ON_TIME", "a[10000,20000)=1:ON_TIME");
    assertThat(run(SessionWindow.withGap(GAP), new Ev("a", 0), new Ev("a", 10_001)))
        .containsExactly("a[0,10000)=1:ON_TIME", "a[10001,20001)=1:ON_TIME");
  }

  @Test
  void when_the_gap_is_inclusive_then_exactly_the_gap_continues_the_session_and_one_ms_more_closes_it() {
    assertThat(run(SessionWindow.withInactivityGap(GAP), new Ev("a", 0), new Ev("a", 9_999)))
        .containsExactly("a[0,20000)=2:ON_TIME");
    assertThat(run(SessionWindow.withInactivityGap(GAP), new Ev("a", 0), new Ev("a", 10_000)))
        .containsExactly("a[0,20001)=2:ON_TIME");
    assertThat(run(SessionWindow.withInactivityGap(GAP), new Ev("a", 0), new Ev("a", 10_001)))
        .containsExactly("a[0,10001)=1:ON_TIME", "a[10001,20002)=1:ON_TIME");
  }

  @Test
  void when_an_out_of_order_event_lies_exactly_the_gap_before_a_session_then_only_the_inclusive_gap_merges_it() {
    assertThat(run(SessionWindow.withInactivityGap(GAP), new Ev("a", 20_000), new Ev("a", 0), new Ev("a", 10_000)))
        .containsExactly("a[0,30001)=3:ON_TIME");
    assertThat(run(SessionWindow.withGap(GAP), new Ev("a", 10_000), new Ev("a", 20_000), new Ev("a", 0)))
        .containsExactly("a[0,10000)=1:ON_TIME", "a[10000,20000)=1:ON_TIME", "a[20000,30000)=1:ON_TIME");
  }

  @Test
  void when_the_gap_is_inclusive_then_a_session_fires_only_once_the_watermark_passes_last_plus_gap() {
    try (PipelineTestDriver d = PipelineTestDriver.of(counting(SessionWindow.withInactivityGap(GAP), Duration.ZERO))) {
      TestInput<Ev> in = d.input("in");
      // Given a@0 and the watermark at exactly 10 s
      in.pipe(new Ev("a", 0)).pipe(new Ev("b", 10_000));
      assertThat(results(d)).isEmpty();
      // When a@10 s arrives it is on time and continues the session
      in.pipe(new Ev("a", 10_000));
      d.advanceEventTime(at(20_000));
      assertThat(results(d)).isEmpty();
      // Then both sessions fire when the watermark reaches last + gap + 1 ms
      d.advanceEventTime(at(20_001));
      assertThat(results(d)).containsExactlyInAnyOrder("b[10000,20001)=1:ON_TIME", "a[0,20001)=2:ON_TIME");
      assertThat(late.values()).isEmpty();
    }
  }

  @Test
  void when_the_gap_is_exclusive_then_a_session_fires_when_the_watermark_reaches_last_plus_gap() {
    try (PipelineTestDriver d = PipelineTestDriver.of(counting(SessionWindow.withGap(GAP), Duration.ZERO))) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("b", 9_999));
      assertThat(results(d)).isEmpty();
      in.pipe(new Ev("b", 10_000));
      assertThat(results(d)).containsExactly("a[0,10000)=1:ON_TIME");
    }
  }

  @Test
  void when_the_gap_is_inclusive_then_a_session_closes_lateness_after_last_plus_gap_plus_one_ms() {
    // Given a's session [0, 10 001) fired, 5 s lateness, and a late a@1 making it [0, 10 002)
    try (PipelineTestDriver d = PipelineTestDriver.of(counting(SessionWindow.withInactivityGap(GAP), Duration.ofSeconds(5)))) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("b", 12_000)).pipe(new Ev("a", 1));
      assertThat(results(d)).containsExactly("a[0,10001)=1:ON_TIME", "a[0,10002)=2:LATE_UPDATE");
      // When the watermark is 1 ms before end + lateness, a late event still updates it
      in.pipe(new Ev("b", 15_001)).pipe(new Ev("a", 1));
      assertThat(results(d)).endsWith("a[0,10002)=3:LATE_UPDATE");
      // Then at end + lateness it is closed: the next one goes to the late events
      in.pipe(new Ev("b", 15_002)).pipe(new Ev("a", 1));
      assertThat(late.values()).containsExactly(new Ev("a", 1));
    }
  }

  @Test
  void when_the_gap_is_exclusive_then_a_session_closes_lateness_after_last_plus_gap() {
    try (PipelineTestDriver d = PipelineTestDriver.of(counting(SessionWindow.withGap(GAP), Duration.ofSeconds(5)))) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("b", 12_000)).pipe(new Ev("a", 1));
      assertThat(results(d)).containsExactly("a[0,10000)=1:ON_TIME", "a[0,10001)=2:LATE_UPDATE");
      in.pipe(new Ev("b", 15_000)).pipe(new Ev("a", 1));
      assertThat(results(d)).endsWith("a[0,10001)=3:LATE_UPDATE");
      in.pipe(new Ev("b", 15_001)).pipe(new Ev("a", 1));
      assertThat(late.values()).containsExactly(new Ev("a", 1));
    }
  }

  @Test
  void when_the_gap_is_below_one_ms_then_the_factory_names_the_setting() {
    assertThatThrownBy(() -> SessionWindow.withInactivityGap(Duration.ofNanos(10)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("window.gap");
    assertThat(SessionWindow.withInactivityGap(GAP).gapInclusive()).isTrue();
    assertThat(SessionWindow.withGap(GAP).gapInclusive()).isFalse();
  }
}
