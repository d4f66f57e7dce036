package io.nip.cep;

import static io.nip.cep.CepTestSupport.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.cep.internal.KeyState;
import io.nip.cep.internal.KeyStateSerde;
import io.nip.cep.internal.PatternProcessor;
import io.nip.errors.SerializationException;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
      assertThat(d.state("p", PatternProcessor.STORE)).isEmpty();
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

      // When the state is measured as it is written to snapshots and RocksDB: whole, and without the
      // event bodies (an event serde that writes nothing)
      KeyStateSerde whole = new KeyStateSerde(Serdes.json(GenericEvent.class));
      KeyStateSerde withoutBodies = new KeyStateSerde(new Serde<Object>() {
        @Override
        public byte[] serialize(Object value) {
          return new byte[0];
        }

        @Override
        public Object deserialize(byte[] bytes) {
          return null;
        }
      });
      long bytes = 0;
      long nfaBytes = 0;
      int partials = 0;
      int buffered = 0;
      for (Object v : d.state("failed_login_sequence", PatternProcessor.STORE).values()) {
        KeyState st = (KeyState) v;
        bytes += whole.serialize(st).length;
        nfaBytes += withoutBodies.serialize(st).length;
        partials += st.partialCount();
        buffered += st.bufferedCount();
        assertThat(st.pendingCount()).isZero();
      }

      // Then three open partial matches per user (f1 f2 f3 waiting for a success; f2 f3 and f3 waiting
      // for more failures), a few dozen bytes each, and each event stored once however many refer to it
      assertThat(partials).isEqualTo(300);
      assertThat(buffered).isEqualTo(300);
      assertThat(nfaBytes / partials).isLessThanOrEqualTo(40);
      System.out.printf("failed_login_sequence: %d bytes of state per open partial match, %d of them NFA state"
          + " (users with 3 failed logins: 3 partial matches sharing 3 events of %d bytes as JSON)%n",
          bytes / partials, nfaBytes / partials, (bytes - nfaBytes) / buffered);
    }
  }

  /** A login of the benchmark's workload ({@code nip bench cep}): user, outcome, event time. */
  public record Login(String user, boolean success, long ts) {}

  @Test
  void the_benchmark_workload_keeps_less_than_two_hundred_bytes_of_state_per_open_partial_match() {
    // Given the benchmark's pattern and logins (10,000 users, a third failing 7 in 10, the others 1 in 10,
    // event times increasing by 0-2 ms), 200,000 of them evaluated
    Pipeline p = Pipeline.named("bench-state");
    Cep.detect(p.from(Sources.<Login>collection("logins", List.of()), WatermarkStrategy.boundedOutOfOrderness(Duration.ZERO))
            .keyBy(Login::user, Serdes.string()),
        Pattern.<Login>begin("failures").where(l -> !l.success()).times(3).consecutive()
            .stepWithin(Duration.ofMinutes(5)).followedBy("success").where(Login::success),
        Serdes.json(Login.class), Op.named("failed_login_sequence"));
    long t = CepTestSupport.T0.toEpochMilli();
    try (PipelineTestDriver d = PipelineTestDriver.of(p, CepTestSupport.T0)) {
      TestInput<Login> in = d.input("logins");
      SplittableRandom rnd = new SplittableRandom(42);
      for (int i = 0; i < 200_000; i++) {
        int u = rnd.nextInt(10_000);
        t += rnd.nextInt(3);
        Login l = new Login("u" + u, rnd.nextInt(10) >= (u % 3 == 0 ? 7 : 1), t);
        in.pipe(l, Instant.ofEpochMilli(l.ts()));
      }
      d.advanceEventTime(Instant.ofEpochMilli(t + 1));

      // When the state of every key is serialized as RocksDB and snapshots store it
      KeyStateSerde serde = new KeyStateSerde(Serdes.json(Login.class));
      long bytes = 0;
      long partials = 0;
      for (Object v : d.state("failed_login_sequence", PatternProcessor.STORE).values()) {
        bytes += serde.serialize((KeyState) v).length;
        partials += ((KeyState) v).partialCount();
      }

      // Then
      assertThat(partials).isGreaterThan(1_000);
      assertThat(bytes / partials).isBetween(20L, 200L);
      System.out.printf("nip bench cep workload: %d open partial matches in %d keys, %d bytes of state per open"
          + " partial match (NFA state and shared events)%n", partials,
          d.state("failed_login_sequence", PatternProcessor.STORE).size(), bytes / partials);
    }
  }

  @Test
  void when_events_wait_for_the_watermark_at_each_restore_then_they_are_evaluated_after_it() {
    // Given a pattern over disordered events, restored from its snapshot bytes after every record
    CepTestSupport s = new CepTestSupport(Pattern.<Ev>begin("a").where(e -> e.is("a")).next("b")
        .where(e -> e.is("b")), Duration.ofSeconds(5));
    try (PipelineTestDriver d = PipelineTestDriver.of(s.pipeline, CepTestSupport.T0, DriverMode.RESTORE_BETWEEN_RECORDS)) {
      // When b arrives before the a it follows, and a second pair arrives in order
      d.<Ev>input("in").pipe(new Ev("u1", "b", 2), at(2)).pipe(new Ev("u1", "a", 1), at(1))
          .pipe(new Ev("u1", "a", 3), at(3)).pipe(new Ev("u1", "b", 4), at(4));
      KeyState waiting = (KeyState) d.state("p", PatternProcessor.STORE).get("u1");

      // Then all four wait in the one state value of the key, and are evaluated in event-time order
      assertThat(d.restores()).isGreaterThanOrEqualTo(4);
      assertThat(waiting.pendingCount()).isEqualTo(4);
      assertThat(d.output(s.matches)).isEmpty();
      d.endAllInputs();
      assertThat(d.output(s.matches)).containsExactly("u1:a1,b2@2", "u1:a3,b4@4");
      assertThat(d.state("p", PatternProcessor.STORE)).isEmpty();
    }
  }

  @Test
  void the_state_of_a_key_survives_its_binary_form() {
    // Given a key with two pending events, a partial match of two buffered events and timers
    CepTestSupport s = new CepTestSupport(Pattern.<Ev>begin("a").where(e -> e.is("a")).times(3)
        .within(Duration.ofSeconds(30)).followedBy("b").where(e -> e.is("b")), Duration.ofSeconds(5));
    try (PipelineTestDriver d = PipelineTestDriver.of(s.pipeline, CepTestSupport.T0)) {
      d.<Ev>input("in").pipe(new Ev("u1", "a", 1), at(1)).pipe(new Ev("u1", "a", 2), at(2))
          .pipe(new Ev("u1", "a", 3), at(20)).pipe(new Ev("u1", "b", 4), at(19));
      d.advanceEventTime(at(10));
      KeyState st = (KeyState) d.state("p", PatternProcessor.STORE).get("u1");
      KeyStateSerde serde = new KeyStateSerde(Serdes.json(Ev.class));

      // When
      byte[] bytes = serde.serialize(st);
      KeyState back = serde.deserialize(bytes);

      // Then the same content, and the same bytes again
      assertThat(st.pendingCount()).isEqualTo(2);
      assertThat(st.bufferedCount()).isEqualTo(2);
      assertThat(back.pendingCount()).isEqualTo(2);
      assertThat(back.bufferedCount()).isEqualTo(2);
      assertThat(back.partialCount()).isEqualTo(st.partialCount());
      assertThat(serde.serialize(back)).isEqualTo(bytes);
      byte[] older = bytes.clone();
      older[0] = 1;
      assertThatThrownBy(() -> serde.deserialize(older)).isInstanceOf(SerializationException.class)
          .hasMessageContaining("version 1");
      assertThatThrownBy(() -> serde.deserialize(Arrays.copyOf(bytes, bytes.length - 3)))
          .isInstanceOf(SerializationException.class);
    }
  }
}
