package io.nip.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsReference;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.Stream;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.streaming.LateEvent;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Exercise 2's sessions against the brute-force model {@link SessionsReference}: random users with
 * gaps of exactly 30 min, 30 min ± 1 ms, 1 h and short pauses, ties, bots, bad lines, and arrival
 * disorder within the watermark bound; the consumer's view of the output (last line per session
 * id) equals the model, and nothing is late. Fixed seeds and a jqwik property.
 */
class SessionsReferenceTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  private static List<SessionSummary> run(List<byte[]> lines, int cap, CollectingSink<LateEvent<JourneyStep>> late) {
    CollectingSink<SessionSummary> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("sessions");
    Stream<JourneyStep> steps = p.from(Sources.collection("in", List.<AnalyticsEvent>of()),
            WatermarkStrategy.<AnalyticsEvent>boundedOutOfOrderness(BOUND).withTimestamps(AnalyticsEvent::eventTime))
        .map(e -> new JourneyStep(e.userId(), e.eventType()));
    SessionsPipeline.sessions(steps, cap, late).to(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<AnalyticsEvent> in = d.input("in");
      AnalyticsReference.validEvents(lines).forEach(in::pipe);
      in.end();
      return d.output(out);
    }
  }

  private static void assertEqualsModel(SessionsData data, int cap) {
    CollectingSink<LateEvent<JourneyStep>> late = Sinks.collecting("late");
    List<SessionSummary> got = run(data.lines, cap, late);
    assertThat(late.values()).isEmpty();
    assertThat(got).noneMatch(SessionSummary::update);
    assertThat(SessionsReference.finalView(got)).containsExactlyElementsOf(SessionsReference.expected(data.lines, cap));
  }

  @Test
  void with_fixed_seeds_the_sessions_equal_the_brute_force_model() {
    for (long seed = 1; seed <= 5; seed++) {
      SessionsData data = SessionsData.generate(seed, 20, 40, Duration.ofSeconds(20), true);
      assertEqualsModel(data, SessionsPipeline.DEFAULT_MAX_EVENTS_PER_SESSION);
    }
  }

  @Test
  void when_sessions_exceed_a_small_cap_then_the_journeys_match_the_models_cap_policy() {
    SessionsData data = SessionsData.generate(11, 10, 60, Duration.ofSeconds(20), false);
    List<SessionSummary> expected = SessionsReference.expected(data.lines, 4);
    assertThat(expected).anyMatch(s -> s.droppedEvents() > 0);
    assertEqualsModel(data, 4);
  }

  @Property(tries = 25)
  void sessions_equal_the_brute_force_model(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int users,
      @ForAll @IntRange(min = 1, max = 30) int eventsPerUser, @ForAll @IntRange(min = 0, max = 30) int disorderSeconds,
      @ForAll @IntRange(min = 2, max = 50) int cap) {
    SessionsData data = SessionsData.generate(seed, users, eventsPerUser, Duration.ofSeconds(disorderSeconds), seed % 2 == 0);
    assertEqualsModel(data, cap);
  }
}
