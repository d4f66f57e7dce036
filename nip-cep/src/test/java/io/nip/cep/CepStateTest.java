package io.nip.cep;

import static io.nip.cep.CepTestSupport.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.nip.cep.internal.KeyState;
import io.nip.cep.internal.KeyStateSerde;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Pipeline;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** What the pattern operator keeps in state, and what a failing condition does to it. */
class CepStateTest {

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_a_condition_throws_then_that_event_is_dropped_and_the_others_still_match(DriverMode mode) {
    // Given a condition that fails on n == 13
    CepTestSupport s = new CepTestSupport(Pattern.<Ev>begin("a").where(e -> {
      if (e.n() == 13) {
        throw new IllegalArgumentException("bad event");
      }
      return e.is("a");
    }).followedBy("b").where(e -> e.is("b")), Duration.ZERO);
    try (PipelineTestDriver d = PipelineTestDriver.of(s.pipeline, CepTestSupport.T0, mode)) {
      // When (the default error policy skips and counts)
      d.<Ev>input("in").pipe(new Ev("u1", "a", 1), at(1)).pipe(new Ev("u1", "a", 13), at(2))
          .pipe(new Ev("u1", "b", 3), at(2)).pipe(new Ev("u1", "b", 4), at(3));
      d.endAllInputs();
      // Then
      assertThat(d.output(s.matches)).containsExactly("u1:a1,b3@2");
      assertThat(d.state("p", "pending")).isEmpty();
    }
  }

  @Test
  void an_open_partial_match_of_the_failed_login_pattern_takes_a_few_dozen_bytes_besides_its_shared_events() {
    // Given 100 users with three failed logins each, waiting for a success
    List<String> alerts = new ArrayList<>();
    Pipeline p = Pipeline.named("state-size");
    PatternDetectorTest.tutorialDetector(alerts)
        .applyTo(p.from(Sources.<GenericEvent>collection("user-events", List.of()),
                WatermarkStrategy.boundedOutOfOrderness(Duration.ZERO))
            .keyBy(GenericEvent::key, Serdes.string()));
    try (PipelineTestDriver d = PipelineTestDriver.of(p, CepTestSupport.T0)) {
      TestInput<GenericEvent> in = d.input("user-events");
      for (int second = 0; second < 3; second++) {
        for (int u = 0; u < 100; u++) {
          in.pipe(new GenericEvent("e" + second + "-" + u, "user" + u, "login_attempt", at(second),
              Map.of("success", false)));
        }
      }
      d.advanceEventTime(at(10));

      // When the state is measured as it is written to snapshots and RocksDB
      KeyStateSerde serde = new KeyStateSerde();
      long nfaBytes = 0;
      int partials = 0;
      for (Object v : d.state("failed_login_sequence", "nfa").values()) {
        nfaBytes += serde.serialize((KeyState) v).length;
        partials += ((KeyState) v).partialCount();
      }
      Serde<GenericEvent> events = Serdes.json(GenericEvent.class);
      long eventBytes = d.state("failed_login_sequence", "events").values().stream()
          .mapToLong(e -> events.serialize((GenericEvent) e).length).sum();

      // Then three open partial matches per user (f1 f2 f3 waiting for a success; f2 f3 and f3 waiting
      // for more failures), a few dozen bytes each, and each event stored once however many refer to it
      assertThat(partials).isEqualTo(300);
      assertThat(d.state("failed_login_sequence", "events")).hasSize(300);
      assertThat(nfaBytes / partials).isLessThanOrEqualTo(40);
      System.out.printf("failed_login_sequence: %d bytes of NFA state and %d bytes of shared events per open"
          + " partial match (users with 3 failed logins: 3 partial matches, 3 shared events)%n",
          nfaBytes / partials, eventBytes / partials);
    }
  }
}
