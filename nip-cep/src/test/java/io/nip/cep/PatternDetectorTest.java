package io.nip.cep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Pipeline;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The tutorial's two patterns, {@code failed_login_sequence} and {@code cart_abandonment}, on the test driver. */
class PatternDetectorTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  // tag::tutorial-patterns[]
  static PatternDetector<String, GenericEvent> tutorialDetector(List<String> alerts) {
    return PatternDetector.<String, GenericEvent>named("pattern_detector")
        .eventSerde(Serdes.json(GenericEvent.class))
        // 3 failed logins within 5 minutes, then a success
        .pattern("failed_login_sequence",
            PatternDetector.<GenericEvent>match("login_attempt", e -> Boolean.FALSE.equals(e.properties().get("success")))
                .times(3).stepWithin(Duration.ofMinutes(5))
                .followedBy("success").match("login_attempt", e -> Boolean.TRUE.equals(e.properties().get("success"))))
        // add_to_cart, then view_checkout, then no purchase within 1 hour
        .pattern("cart_abandonment",
            PatternDetector.<GenericEvent>match("add_to_cart", null)
                .followedBy("view_checkout").match("view_checkout", null)
                .notFollowedBy(PatternDetector.ofType("purchase"), Duration.ofHours(1)))
        .handler("failed_login_sequence", (user, events) -> alerts.add("login:" + user + ":" + ids(events)))
        .handler("cart_abandonment", (user, events) -> alerts.add("cart:" + user + ":" + ids(events)));
  }
  // end::tutorial-patterns[]

  private static String ids(List<GenericEvent> events) {
    return events.stream().map(GenericEvent::eventId).collect(Collectors.joining(","));
  }

  private static GenericEvent login(String id, String user, long second, boolean success) {
    return new GenericEvent(id, user, "login_attempt", T0.plusSeconds(second), Map.of("success", success));
  }

  private static GenericEvent ev(String id, String user, String type, long second) {
    return new GenericEvent(id, user, type, T0.plusSeconds(second), Map.of());
  }

  private static Pipeline pipeline(List<String> alerts, WatermarkStrategy<GenericEvent> watermarks,
      CollectingSink<GenericEvent> late) {
    Pipeline p = Pipeline.named("tutorial-cep");
    tutorialDetector(alerts).lateEvents(late)
        .applyTo(p.from(Sources.<GenericEvent>collection("user-events", List.of()), watermarks)
            .keyBy(GenericEvent::key, Serdes.string()));
    return p;
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_three_failed_logins_within_five_minutes_are_followed_by_a_success_then_the_handler_gets_them_in_order(
      DriverMode mode) {
    List<String> alerts = Collections.synchronizedList(new ArrayList<>());
    CollectingSink<GenericEvent> late = Sinks.collecting("late");
    Pipeline p = pipeline(alerts, WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(30)), late);
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0, mode)) {
      TestInput<GenericEvent> in = d.input("user-events");
      // c1: three failures in exactly 5 minutes, then a success (out of order within the bound)
      in.pipe(login("1", "c1", 0, false)).pipe(login("2", "c1", 150, false)).pipe(login("4", "c1", 320, true))
          .pipe(login("3", "c1", 300, false));
      // c2: three failures spanning 5 min 1 s, then a success
      in.pipe(login("5", "c2", 330, false)).pipe(login("6", "c2", 400, false)).pipe(login("7", "c2", 631, false))
          .pipe(login("8", "c2", 640, true));
      // c3: two failures, then a success
      in.pipe(login("9", "c3", 700, false)).pipe(login("10", "c3", 710, false)).pipe(login("11", "c3", 720, true));
      // c4: four failures, then a success: one alert, with the first three
      in.pipe(login("12", "c4", 800, false)).pipe(login("13", "c4", 801, false)).pipe(login("14", "c4", 802, false))
          .pipe(login("15", "c4", 803, false)).pipe(login("16", "c4", 804, true));
      d.endAllInputs();
      assertThat(alerts).containsExactlyInAnyOrder("login:c1:1,2,3,4", "login:c4:12,13,14,16");
      assertThat(d.output(late)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_a_checkout_sees_no_purchase_for_an_hour_then_the_cart_is_abandoned_even_if_the_user_sends_nothing_more(
      DriverMode mode) {
    List<String> alerts = Collections.synchronizedList(new ArrayList<>());
    CollectingSink<GenericEvent> late = Sinks.collecting("late");
    Pipeline p = pipeline(alerts, WatermarkStrategy.boundedOutOfOrderness(Duration.ZERO), late);
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0, mode)) {
      TestInput<GenericEvent> in = d.input("user-events");
      // u1 abandons and goes quiet; u2 buys after 30 min; u3 buys at exactly one hour (inclusive)
      in.pipe(ev("a1", "u1", "add_to_cart", 0)).pipe(ev("a2", "u2", "add_to_cart", 0))
          .pipe(ev("c1", "u1", "view_checkout", 60)).pipe(ev("c2", "u2", "view_checkout", 60))
          .pipe(ev("a3", "u3", "add_to_cart", 100)).pipe(ev("c3", "u3", "view_checkout", 120))
          .pipe(ev("p2", "u2", "purchase", 1860));
      // the hour after u1's checkout ends at 3660 (inclusive); other users' events move the watermark
      in.pipe(ev("x", "u9", "page_view", 3660));
      assertThat(alerts).isEmpty();
      in.pipe(ev("y", "u9", "page_view", 3661));
      assertThat(alerts).containsExactly("cart:u1:a1,c1");
      in.pipe(ev("p3", "u3", "purchase", 3720)).pipe(ev("z", "u9", "page_view", 3721));
      d.endAllInputs();
      assertThat(d.output(late)).isEmpty();
      assertThat(alerts).containsExactly("cart:u1:a1,c1");
    }
  }

  @Test
  void when_the_input_goes_idle_then_the_watermark_reaches_the_last_event_and_the_abandonment_fires() {
    List<String> alerts = Collections.synchronizedList(new ArrayList<>());
    CollectingSink<GenericEvent> late = Sinks.collecting("late");
    Pipeline p = pipeline(alerts, WatermarkStrategy.<GenericEvent>boundedOutOfOrderness(Duration.ofSeconds(30))
        .withIdleTimeout(Duration.ofSeconds(5)), late);
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0)) {
      TestInput<GenericEvent> in = d.input("user-events");
      in.pipe(ev("a1", "u1", "add_to_cart", 0)).pipe(ev("c1", "u1", "view_checkout", 60));
      // the last event of the stream is 10 s after u1's hour, within the 30 s out-of-orderness bound
      in.pipe(ev("x", "u9", "page_view", 3670));
      assertThat(alerts).isEmpty();
      // When the input stays silent past the idle timeout
      d.advanceWallClockTime(Duration.ofSeconds(10));
      // Then the watermark moves up to the last event seen (no longer held back by the bound)
      assertThat(alerts).containsExactly("cart:u1:a1,c1");
    }
  }

  @Test
  void when_a_handler_names_an_unknown_pattern_then_applying_the_detector_fails() {
    Pipeline p = Pipeline.named("bad");
    PatternDetector<String, GenericEvent> detector = PatternDetector.<String, GenericEvent>named("d")
        .eventSerde(Serdes.json(GenericEvent.class))
        .pattern("a", PatternDetector.match("x", null))
        .handler("b", (k, e) -> { });
    assertThatThrownBy(() -> detector.applyTo(p.from(Sources.<GenericEvent>collection("in", List.of()))
        .keyBy(GenericEvent::key, Serdes.string())))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'b'").hasMessageContaining("[a]");
  }
}
