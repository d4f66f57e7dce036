package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Throttling, deduplication, resolution and retries of {@link AlertManager}, on virtual time. */
class AlertManagerTest {
  private static final Instant START = Instant.parse("2026-11-30T20:00:00Z");

  private final ManualClock clock = new ManualClock(START);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicBoolean lagHigh = new AtomicBoolean();

  private AlertManager.Builder manager(AlertChannel... channels) {
    return AlertManager.builder("streaming_alerts", List.of(channels)).clock(clock).meterRegistry(registry)
        .evaluationInterval(Duration.ofSeconds(30)).throttleInterval(Duration.ofMinutes(10))
        .retry(4, Duration.ofSeconds(1), Duration.ofSeconds(30)).deliverOnCallerThread(true);
  }

  private AlertManager withLagAlert(AlertManager m) {
    return m.alert(AlertCondition.of("consumer_lag", lagHigh::get), AlertSeverity.WARNING,
        "Consumer lag exceeded threshold");
  }

  private double counter(String name, String channel) {
    return registry.get(name).tag("manager", "streaming_alerts").tag("channel", channel).counter().count();
  }

  @Test
  void when_a_condition_stays_firing_then_it_notifies_once_per_throttle_interval() {
    // Given a manager throttling to one notification per 10 min, and lag that is high from the start
    RecordingChannel channel = new RecordingChannel("mem");
    AlertManager alerts = withLagAlert(manager(channel).build());
    lagHigh.set(true);

    // When it is evaluated every 30 s for 25 min of virtual time
    for (int i = 0; i <= 50; i++) {
      alerts.runIfDue();
      clock.advance(Duration.ofSeconds(30));
    }

    // Then it notified at 0, 10 and 20 min only, each a FIRING with the alert's fields and time
    assertThat(channel.received()).extracting(AlertNotification::at)
        .containsExactly(START, START.plusSeconds(600), START.plusSeconds(1200));
    AlertNotification first = channel.received().get(0);
    assertThat(first.status()).isEqualTo(AlertStatus.FIRING);
    assertThat(first.severity()).isEqualTo(AlertSeverity.WARNING);
    assertThat(first.alert()).isEqualTo("consumer_lag");
    assertThat(first.message()).isEqualTo("Consumer lag exceeded threshold");
    assertThat(alerts.firing()).containsExactly("consumer_lag");
  }

  @Test
  void when_a_notified_condition_clears_then_one_resolved_notification_follows() {
    // Given an alert that fired and was notified
    RecordingChannel channel = new RecordingChannel("mem");
    AlertManager alerts = withLagAlert(manager(channel).build());
    lagHigh.set(true);
    alerts.evaluate();

    // When the lag drops and the manager evaluates three more times
    lagHigh.set(false);
    clock.advance(Duration.ofSeconds(30));
    List<AlertNotification> resolved = alerts.evaluate();
    clock.advance(Duration.ofSeconds(30));
    alerts.evaluate();
    alerts.evaluate();

    // Then exactly one RESOLVED went out, at the evaluation that saw it clear
    assertThat(channel.statuses()).containsExactly("consumer_lag FIRING", "consumer_lag RESOLVED");
    assertThat(resolved).singleElement().satisfies(n -> {
      assertThat(n.status()).isEqualTo(AlertStatus.RESOLVED);
      assertThat(n.at()).isEqualTo(START.plusSeconds(30));
    });
    assertThat(alerts.firing()).isEmpty();
  }

  @Test
  void when_a_condition_flaps_then_it_fires_once_per_interval_and_resolves_only_what_was_notified() {
    // Given an alert that fired (notified) and cleared (resolved)
    RecordingChannel channel = new RecordingChannel("mem");
    AlertManager alerts = withLagAlert(manager(channel).build());
    lagHigh.set(true);
    alerts.evaluate();
    clock.advance(Duration.ofMinutes(1));
    lagHigh.set(false);
    alerts.evaluate();

    // When it fires and clears again within the throttle interval, then fires 10 min after the first
    clock.advance(Duration.ofMinutes(1));
    lagHigh.set(true);
    alerts.evaluate();
    clock.advance(Duration.ofMinutes(1));
    lagHigh.set(false);
    alerts.evaluate();
    clock.advance(Duration.ofMinutes(7));
    lagHigh.set(true);
    alerts.evaluate();

    // Then the suppressed flap was neither notified nor resolved; the one after the interval was
    assertThat(channel.statuses())
        .containsExactly("consumer_lag FIRING", "consumer_lag RESOLVED", "consumer_lag FIRING");
    assertThat(channel.received().get(2).at()).isEqualTo(START.plus(Duration.ofMinutes(10)));
  }

  @Test
  void evaluations_run_every_interval_of_the_managers_clock() {
    // Given a manager evaluating every 30 s, with a condition counting its evaluations
    int[] evaluations = new int[1];
    AlertManager alerts = manager(new RecordingChannel("mem")).build()
        .alert(AlertCondition.of("count", () -> ++evaluations[0] < 0), AlertSeverity.INFO, "never");

    // When the clock moves in steps of 10 s over a minute
    int ran = 0;
    for (int i = 0; i < 6; i++) {
      ran += alerts.runIfDue() ? 1 : 0;
      clock.advance(Duration.ofSeconds(10));
    }

    // Then it evaluated at 0 s and 30 s only
    assertThat(ran).isEqualTo(2);
    assertThat(evaluations[0]).isEqualTo(2);
  }

  @Test
  void when_a_receiver_fails_twice_then_the_notification_is_delivered_once_after_backing_off() {
    // Given a webhook receiver answering 500, 500, then 200, and retries after 1 s then 2 s
    try (HttpReceiver receiver = HttpReceiver.start(200, 500, 500)) {
      WebhookChannel hook = WebhookChannel.builder().url(receiver.url("/hook")).build();
      AlertManager alerts = withLagAlert(manager(hook).build());
      lagHigh.set(true);

      // When the alert fires and the manager ticks through 3 s of virtual time
      alerts.runIfDue();
      int afterFirst = receiver.requests().size();
      clock.advance(Duration.ofMillis(999));
      alerts.runIfDue();
      int before1s = receiver.requests().size();
      clock.advance(Duration.ofMillis(1));
      alerts.runIfDue();
      int at1s = receiver.requests().size();
      clock.advance(Duration.ofMillis(1_999));
      alerts.runIfDue();
      int before3s = receiver.requests().size();
      clock.advance(Duration.ofMillis(1));
      alerts.runIfDue();

      // Then it was tried at 0 s, 1 s and 3 s (backoff 1 s, then 2 s) and delivered once
      assertThat(List.of(afterFirst, before1s, at1s, before3s)).containsExactly(1, 1, 2, 2);
      assertThat(receiver.requests()).hasSize(3)
          .allSatisfy(r -> assertThat(r.json().path("alert").asText()).isEqualTo("consumer_lag"));
      assertThat(alerts.pendingDeliveries()).isZero();
      assertThat(counter("nip.alerts.sent", "webhook")).isEqualTo(1);
      assertThat(counter("nip.alerts.retries", "webhook")).isEqualTo(2);
      assertThat(counter("nip.alerts.failed", "webhook")).isZero();
    }
  }

  @Test
  void when_a_channel_always_fails_then_the_others_are_still_delivered_and_the_failure_is_counted() {
    // Given a receiver that always answers 503 beside a working one, 4 attempts per notification
    try (HttpReceiver broken = HttpReceiver.start(503); HttpReceiver working = HttpReceiver.start(200)) {
      AlertManager alerts = withLagAlert(manager(
          WebhookChannel.builder().name("broken").url(broken.url("/a")).build(),
          WebhookChannel.builder().name("working").url(working.url("/b")).build()).build());
      lagHigh.set(true);

      // When the alert fires, clears and the manager ticks through a minute of virtual time
      alerts.runIfDue();
      clock.advance(Duration.ofSeconds(30));
      lagHigh.set(false);
      for (int i = 0; i < 60; i++) {
        alerts.runIfDue();
        clock.advance(Duration.ofSeconds(1));
      }

      // Then the working channel got FIRING then RESOLVED; the broken one was tried 4 times per
      // notification (0, 1, 3, 7 s after it was due), and both notifications were counted as failed
      assertThat(working.requests()).extracting(r -> r.json().path("status").asText())
          .containsExactly("FIRING", "RESOLVED");
      assertThat(broken.requests()).hasSize(8);
      assertThat(counter("nip.alerts.failed", "broken")).isEqualTo(2);
      assertThat(counter("nip.alerts.retries", "broken")).isEqualTo(6);
      assertThat(counter("nip.alerts.sent", "working")).isEqualTo(2);
      assertThat(alerts.pendingDeliveries()).isZero();
    }
  }

  @Test
  void when_a_receiver_rejects_the_request_then_it_is_not_retried() {
    // Given a receiver answering 400 (a rejected payload)
    try (HttpReceiver receiver = HttpReceiver.start(400)) {
      AlertManager alerts = withLagAlert(manager(WebhookChannel.builder().url(receiver.url("/x")).build()).build());
      lagHigh.set(true);

      // When the alert fires and a minute passes
      alerts.runIfDue();
      for (int i = 0; i < 60; i++) {
        clock.advance(Duration.ofSeconds(1));
        alerts.runIfDue();
      }

      // Then it was tried once and counted as failed
      assertThat(receiver.requests()).hasSize(1);
      assertThat(counter("nip.alerts.failed", "webhook")).isEqualTo(1);
    }
  }

  @Test
  void when_channels_send_on_their_own_threads_then_a_hanging_channel_does_not_hold_up_the_others() throws Exception {
    // Given a channel that blocks until released, beside a recording one, each on its own thread
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AlertChannel hanging = new AlertChannel() {
      @Override
      public String name() {
        return "hanging";
      }

      @Override
      public void send(AlertNotification n) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    RecordingChannel recording = new RecordingChannel("mem");
    try (AlertManager alerts = withLagAlert(manager(hanging, recording).deliverOnCallerThread(false).build())) {
      lagHigh.set(true);

      // When the alert fires
      List<AlertNotification> queued = alerts.evaluate();

      // Then evaluate() returned at once and the other channel received the notification
      assertThat(queued).hasSize(1);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(recording.statuses()).containsExactly("consumer_lag FIRING"));
      release.countDown();
    }
  }

  @Test
  void a_condition_that_throws_fires_with_the_failure_as_its_detail() {
    // Given an alert whose condition throws, from a health check
    RecordingChannel channel = new RecordingChannel("mem");
    AlertManager alerts = manager(channel).build()
        .alert(AlertCondition.of("broken", () -> {
          throw new IllegalStateException("no registry");
        }), AlertSeverity.CRITICAL, "Check failed")
        .alert(AlertCondition.unhealthy("lag", () -> HealthResult.degraded("max consumer lag 1200 records")),
            AlertSeverity.WARNING, "Consumer lag exceeded threshold");

    // When it is evaluated
    alerts.evaluate();

    // Then both fire: the broken one naming the failure, the health check's with its detail
    assertThat(channel.received()).extracting(AlertNotification::detail)
        .containsExactly("the condition failed: IllegalStateException", "max consumer lag 1200 records");
  }

  @Test
  void configuration_errors_name_the_setting() {
    RecordingChannel channel = new RecordingChannel("mem");
    assertThatThrownBy(() -> AlertManager.builder(" ", List.of(channel))).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("name:");
    assertThatThrownBy(() -> AlertManager.builder("a", List.of())).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("channels:");
    assertThatThrownBy(() -> AlertManager.builder("a", List.of(channel, new RecordingChannel("mem"))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("distinct names");
    assertThatThrownBy(() -> manager(channel).throttleInterval(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("throttleInterval:");
    assertThatThrownBy(() -> manager(channel).retry(0, Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("retry.maxAttempts:");
    assertThatThrownBy(() -> manager(channel).retry(3, Duration.ofSeconds(5), Duration.ofSeconds(2)))
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("retry.maxBackoff:");
    AlertManager alerts = withLagAlert(manager(channel).build());
    assertThatThrownBy(() -> withLagAlert(alerts)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("consumer_lag").hasMessageContaining("unique");
  }
}
