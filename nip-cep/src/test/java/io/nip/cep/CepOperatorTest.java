package io.nip.cep;

import static io.nip.cep.CepTestSupport.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The pattern operator on the test driver, in every driver mode (plain, restored between every
 * record, three parallel keyed tasks): contiguity, quantifiers, time bounds, absence, event-time
 * order, late events, skip strategies, iterative conditions and state clean-up.
 */
class CepOperatorTest {

  private static PipelineTestDriver driver(CepTestSupport s, DriverMode mode) {
    return PipelineTestDriver.of(s.pipeline, CepTestSupport.T0, mode);
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_next_is_strict_then_an_event_in_between_breaks_the_match(DriverMode mode) {
    // Given a next b, and a followedBy b
    CepTestSupport strict = new CepTestSupport(
        Pattern.<Ev>begin("a").where(e -> e.is("a")).next("b").where(e -> e.is("b")), Duration.ZERO);
    CepTestSupport relaxed = new CepTestSupport(
        Pattern.<Ev>begin("a").where(e -> e.is("a")).followedBy("b").where(e -> e.is("b")), Duration.ZERO);
    for (CepTestSupport s : new CepTestSupport[] {strict, relaxed}) {
      try (PipelineTestDriver d = driver(s, mode)) {
        // When: a x b for u1, a b for u2
        TestInput<Ev> in = d.input("in");
        in.pipe(new Ev("u1", "a", 1), at(1)).pipe(new Ev("u1", "x", 2), at(2)).pipe(new Ev("u1", "b", 3), at(3));
        in.pipe(new Ev("u2", "a", 1), at(4)).pipe(new Ev("u2", "b", 2), at(5));
        d.endAllInputs();
        // Then
        if (s == strict) {
          assertThat(d.output(s.matches)).containsExactly("u2:a1,b2@5");
        } else {
          assertThat(d.output(s.matches)).containsExactlyInAnyOrder("u1:a1,b3@3", "u2:a1,b2@5");
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_events_arrive_out_of_order_then_they_are_evaluated_in_event_time_order(DriverMode mode) {
    // Given a followedBy b, 10 s of out-of-orderness
    CepTestSupport s = new CepTestSupport(
        Pattern.<Ev>begin("a").where(e -> e.is("a")).followedBy("b").where(e -> e.is("b")), Duration.ofSeconds(10));
    try (PipelineTestDriver d = driver(s, mode)) {
      // When b (t=5) arrives before a (t=3), then the watermark passes both
      d.<Ev>input("in").pipe(new Ev("u1", "b", 5), at(5)).pipe(new Ev("u1", "a", 3), at(3));
      assertThat(d.output(s.matches)).isEmpty();
      d.<Ev>input("in").pipe(new Ev("u9", "x", 0), at(20));
      // Then the match is found in event-time order, once the watermark (t=10) passed it
      assertThat(d.output(s.matches)).containsExactly("u1:a3,b5@5");
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_an_event_is_behind_the_watermark_then_it_goes_to_the_late_output(DriverMode mode) {
    CepTestSupport s = new CepTestSupport(
        Pattern.<Ev>begin("a").where(e -> e.is("a")).followedBy("b").where(e -> e.is("b")), Duration.ZERO);
    try (PipelineTestDriver d = driver(s, mode)) {
      // Given the watermark at t=10
      d.<Ev>input("in").pipe(new Ev("u1", "a", 1), at(10));
      // When an event at t=5 arrives, then one at t=10 (not late: ties with the watermark)
      d.<Ev>input("in").pipe(new Ev("u1", "b", 2), at(5)).pipe(new Ev("u1", "b", 3), at(10));
      d.endAllInputs();
      // Then
      assertThat(d.output(s.late)).containsExactly(new Ev("u1", "b", 2));
      assertThat(d.output(s.matches)).containsExactly("u1:a1,b3@10");
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_a_step_repeats_times_n_within_a_bound_then_only_close_enough_runs_match(DriverMode mode) {
    // Given 3 a within 60 s, then b
    CepTestSupport s = new CepTestSupport(Pattern.<Ev>begin("a").where(e -> e.is("a")).times(3)
        .stepWithin(Duration.ofSeconds(60)).followedBy("b").where(e -> e.is("b")), Duration.ZERO);
    try (PipelineTestDriver d = driver(s, mode)) {
      TestInput<Ev> in = d.input("in");
      // When: u1's three a span exactly 60 s (inclusive), u2's span 61 s
      in.pipe(new Ev("u1", "a", 1), at(0)).pipe(new Ev("u2", "a", 1), at(0))
          .pipe(new Ev("u1", "a", 2), at(30)).pipe(new Ev("u2", "a", 2), at(30))
          .pipe(new Ev("u1", "a", 3), at(60)).pipe(new Ev("u2", "a", 3), at(61))
          .pipe(new Ev("u1", "b", 4), at(500)).pipe(new Ev("u2", "b", 4), at(500));
      d.endAllInputs();
      // Then
      assertThat(d.output(s.late)).isEmpty();
      assertThat(d.output(s.matches)).containsExactly("u1:a1,a2,a3,b4@500");
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_a_step_has_at_least_n_then_each_longer_run_is_a_match_unless_skipped(DriverMode mode) {
    Pattern<Ev> atLeast2 = Pattern.<Ev>begin("a").where(e -> e.is("a")).atLeast(2);
    CepTestSupport noSkip = new CepTestSupport(atLeast2.afterMatch(AfterMatchSkip.NO_SKIP), Duration.ZERO);
    CepTestSupport pastLast = new CepTestSupport(atLeast2, Duration.ZERO);
    CepTestSupport toNext = new CepTestSupport(atLeast2.afterMatch(AfterMatchSkip.SKIP_TO_NEXT), Duration.ZERO);
    for (CepTestSupport s : new CepTestSupport[] {noSkip, pastLast, toNext}) {
      try (PipelineTestDriver d = driver(s, mode)) {
        // When a1 a2 a3 a4
        for (int i = 1; i <= 4; i++) {
          d.<Ev>input("in").pipe(new Ev("u1", "a", i), at(i));
        }
        d.endAllInputs();
        // Then
        if (s == noSkip) {
          assertThat(d.output(s.matches)).containsExactly("u1:a1,a2@2", "u1:a1,a2,a3@3", "u1:a2,a3@3",
              "u1:a1,a2,a3,a4@4", "u1:a2,a3,a4@4", "u1:a3,a4@4");
        } else if (s == pastLast) {
          assertThat(d.output(s.matches)).containsExactly("u1:a1,a2@2", "u1:a3,a4@4");
        } else {
          assertThat(d.output(s.matches)).containsExactly("u1:a1,a2@2", "u1:a2,a3@3", "u1:a3,a4@4");
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_the_pattern_has_a_bound_then_partial_matches_expire_and_leave_no_state(DriverMode mode) {
    CepTestSupport s = new CepTestSupport(Pattern.<Ev>begin("a").where(e -> e.is("a")).followedBy("b")
        .where(e -> e.is("b")).within(Duration.ofSeconds(10)), Duration.ZERO);
    try (PipelineTestDriver d = driver(s, mode)) {
      // When a at 0, b at 10 (inclusive: matches); a at 100, b at 111 (too late)
      d.<Ev>input("in").pipe(new Ev("u1", "a", 1), at(0)).pipe(new Ev("u1", "b", 2), at(10))
          .pipe(new Ev("u1", "a", 3), at(100)).pipe(new Ev("u1", "b", 4), at(111));
      d.advanceEventTime(at(200));
      // Then
      assertThat(d.output(s.matches)).containsExactly("u1:a1,b2@10");
      assertThat(d.state("p", "nfa")).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_nothing_forbidden_follows_within_the_period_then_the_absence_match_fires_on_the_watermark(DriverMode mode) {
    // Given a then (no c within 60 s)
    CepTestSupport s = new CepTestSupport(Pattern.<Ev>begin("a").where(e -> e.is("a"))
        .notFollowedBy(e -> e.is("c"), Duration.ofSeconds(60)), Duration.ZERO);
    try (PipelineTestDriver d = driver(s, mode)) {
      TestInput<Ev> in = d.input("in");
      // When: u1 gets c at exactly +60 s (forbidden, inclusive), u2 at +61 s, u3 nothing at all
      in.pipe(new Ev("u1", "a", 1), at(0)).pipe(new Ev("u2", "a", 1), at(0)).pipe(new Ev("u3", "a", 1), at(0));
      in.pipe(new Ev("u1", "c", 2), at(60));
      d.advanceEventTime(at(60));
      assertThat(d.output(s.matches)).isEmpty();
      in.pipe(new Ev("u2", "c", 2), at(61));
      // Then once the watermark passed +60 s the absences are proven, for u3 without any further event of u3
      d.advanceEventTime(at(62));
      assertThat(d.output(s.matches)).containsExactlyInAnyOrder("u2:a1@60", "u3:a1@60");
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_a_condition_looks_at_the_matched_events_then_it_sees_them_by_step(DriverMode mode) {
    // Given: a rising value: b's n greater than every a's n
    CepTestSupport s = new CepTestSupport(Pattern.<Ev>begin("a").where(e -> e.is("a")).times(2)
        .followedBy("b").where((e, matched) -> e.is("b")
            && matched.events("a").stream().allMatch(a -> a.n() < e.n()) && matched.events("b").isEmpty()),
        Duration.ZERO);
    try (PipelineTestDriver d = driver(s, mode)) {
      d.<Ev>input("in").pipe(new Ev("u1", "a", 5), at(1)).pipe(new Ev("u1", "a", 7), at(2))
          .pipe(new Ev("u1", "b", 6), at(3)).pipe(new Ev("u1", "b", 8), at(4));
      d.endAllInputs();
      assertThat(d.output(s.matches)).containsExactly("u1:a5,a7,b8@4");
    }
  }

  @Test
  void when_a_pattern_is_built_wrongly_then_the_setting_is_named() {
    assertThatThrownBy(() -> Pattern.<Ev>begin("a").times(0)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("times");
    assertThatThrownBy(() -> Pattern.<Ev>begin("a").followedBy("a")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("unique");
    assertThatThrownBy(() -> Pattern.<Ev>begin("a").notFollowedBy(e -> true, Duration.ofSeconds(1)).next("b"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("notFollowedBy");
    assertThatThrownBy(() -> Pattern.<Ev>begin("a").within(Duration.ZERO)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("within");
  }
}
