package io.nip.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Pipeline;
import io.nip.sink.CollectingSink;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.window.WindowTestSupport.Ev;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A final result stays final: closed sessions are not reopened by an overlapping session, a merged
 * session is not final before its merged end, and a late event within the lateness updates its
 * window at once (out-of-orderness bound 0 throughout).
 */
class WindowFinalityTest {
  private static final long MIN = 60_000;
  private final CountingWindows windows = new CountingWindows();
  private final CollectingSink<Ev> late = windows.late;

  private Pipeline counting(WindowAssigner assigner, Duration lateness) {
    return windows.counting(assigner, lateness, Duration.ZERO);
  }

  private List<String> results(PipelineTestDriver d) {
    return windows.results(d);
  }

  @Test
  void when_an_event_would_merge_into_a_closed_session_then_it_is_late_and_no_overlapping_session_opens() {
    // Given sessions with a 10 s gap, no lateness, and a's session [0, 10 s) closed by b@10 s
    Pipeline p = counting(SessionWindow.withGap(Duration.ofSeconds(10)), Duration.ZERO);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("b", 10_000));
      assertThat(results(d)).containsExactly("a[0,10000)=1:ON_TIME");
      // When a@9 999 ms arrives, overlapping the closed session
      in.pipe(new Ev("a", 9_999));
      in.end();
      // Then it is late, and a has exactly one session
      assertThat(late.values()).containsExactly(new Ev("a", 9_999));
      assertThat(results(d)).containsExactly("a[0,10000)=1:ON_TIME", "b[10000,20000)=1:ON_TIME");
    }
  }

  @Test
  void when_an_event_follows_a_closed_session_without_overlapping_it_then_it_opens_a_new_session() {
    // Given a's session [0, 10 s), closed at 10 s
    Pipeline p = counting(SessionWindow.withGap(Duration.ofSeconds(10)), Duration.ZERO);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("b", 19_999));
      // When a's next events follow it without overlapping it
      in.pipe(new Ev("a", 12_000)).pipe(new Ev("a", 20_000));
      in.end();
      // Then they form a new session and nothing is late
      assertThat(late.values()).isEmpty();
      assertThat(results(d)).containsExactlyInAnyOrder("a[0,10000)=1:ON_TIME", "b[19999,29999)=1:ON_TIME",
          "a[12000,30000)=2:ON_TIME");
      assertThat(results(d)).filteredOn(r -> r.startsWith("a"))
          .containsExactly("a[0,10000)=1:ON_TIME", "a[12000,30000)=2:ON_TIME");
    }
  }

  @Test
  void when_a_late_event_merges_a_fired_session_with_an_open_one_then_no_late_update_and_one_on_time_result() {
    // Given sessions with a 10 min gap and 30 min lateness: [0, 10 m) fired, [15 m, 25 m) open
    Pipeline p = counting(SessionWindow.withGap(Duration.ofMinutes(10)), Duration.ofMinutes(30));
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("a", 15 * MIN));
      assertThat(results(d)).containsExactly("a[0,600000)=1:ON_TIME");
      // When a@8 min bridges them, then b@26 min moves the watermark past 25 min, then the end
      in.pipe(new Ev("a", 8 * MIN));
      assertThat(results(d)).containsExactly("a[0,600000)=1:ON_TIME");
      in.pipe(new Ev("b", 26 * MIN));
      in.end();
      // Then the merged session [0, 25 m) is final once, on time, and no ON_TIME follows a LATE_UPDATE
      assertThat(results(d)).containsExactly("a[0,600000)=1:ON_TIME", "a[0,1500000)=3:ON_TIME",
          "b[1560000,2160000)=1:ON_TIME");
      assertThat(late.values()).isEmpty();
    }
  }

  @Test
  void when_a_late_event_merges_sessions_whose_merged_end_passed_then_one_late_update_follows() {
    // Given sessions [0, 10 m) and [12 m, 22 m), both fired (watermark 30 m), lateness 30 m
    Pipeline p = counting(SessionWindow.withGap(Duration.ofMinutes(10)), Duration.ofMinutes(30));
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("a", 12 * MIN)).pipe(new Ev("b", 30 * MIN));
      // When a@5 min bridges them
      in.pipe(new Ev("a", 5 * MIN));
      // Then the merged window updates late, at once, and never fires ON_TIME again
      assertThat(results(d)).containsExactly("a[0,600000)=1:ON_TIME", "a[720000,1320000)=1:ON_TIME",
          "a[0,1320000)=3:LATE_UPDATE");
      in.end();
      assertThat(results(d)).filteredOn(r -> r.startsWith("a")).hasSize(3);
    }
  }

  @Test
  void when_a_late_event_within_lateness_creates_a_window_then_it_is_emitted_at_once_as_a_late_update() {
    // Given tumbling 1 min windows with 5 min lateness and the watermark at 70 s
    Pipeline p = counting(TumblingWindow.of(Duration.ofMinutes(1)), Duration.ofMinutes(5));
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 10_000)).pipe(new Ev("a", 70_000));
      // When b@20 s arrives, the first event of b's window [0, 60 s)
      in.pipe(new Ev("b", 20_000));
      // Then its result is emitted now, as a late update, and never as ON_TIME
      assertThat(results(d)).containsExactly("a[0,60000)=1:ON_TIME", "b[0,60000)=1:LATE_UPDATE");
      in.end();
      assertThat(results(d)).containsExactly("a[0,60000)=1:ON_TIME", "b[0,60000)=1:LATE_UPDATE",
          "a[60000,120000)=1:ON_TIME");
    }
  }

  @Test
  void when_a_late_event_within_lateness_creates_a_session_then_it_is_emitted_at_once_as_a_late_update() {
    // Given sessions with a 10 s gap, 5 min lateness and the watermark at 60 s
    Pipeline p = counting(SessionWindow.withGap(Duration.ofSeconds(10)), Duration.ofMinutes(5));
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 60_000));
      // When b@20 s arrives: its session [20 s, 30 s) ended before the watermark
      in.pipe(new Ev("b", 20_000));
      // Then it is emitted at once as a late update
      assertThat(results(d)).containsExactly("b[20000,30000)=1:LATE_UPDATE");
      in.end();
      assertThat(results(d)).containsExactly("b[20000,30000)=1:LATE_UPDATE", "a[60000,70000)=1:ON_TIME");
    }
  }

  @Test
  void when_an_event_bridges_a_long_closed_session_and_a_later_open_one_then_it_is_late() {
    // Given sessions with a 10 s gap and 5 s lateness: a's [0, 10 s) closed at 15 s, whose marker
    // would be purged at 25 s, and a's open session [12 s, 38 s) starting 2 s after its end
    Pipeline p = counting(SessionWindow.withGap(Duration.ofSeconds(10)), Duration.ofSeconds(5));
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      in.pipe(new Ev("a", 0)).pipe(new Ev("a", 12_000)).pipe(new Ev("a", 20_000)).pipe(new Ev("a", 28_000));
      // When a@5 s arrives: it overlaps the closed session and would bridge into the open one
      in.pipe(new Ev("a", 5_000));
      in.end();
      // Then it is late, and no session overlapping the closed one is emitted
      assertThat(late.values()).containsExactly(new Ev("a", 5_000));
      assertThat(results(d)).containsExactly("a[0,10000)=1:ON_TIME", "a[12000,38000)=3:ON_TIME");
    }
  }
}
