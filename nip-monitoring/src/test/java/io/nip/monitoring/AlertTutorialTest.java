package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tutorial's {@code AlertManager(name="streaming_alerts", channels=["slack", "email", "pagerduty"])}
 * with its two alerts, as a user writes it: started, on its own threads, against real receivers.
 */
class AlertTutorialTest {
  @RegisterExtension
  static final GreenMailExtension SMTP = new GreenMailExtension(
      new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

  @Test
  void the_tutorials_alerts_reach_slack_email_and_pagerduty_and_resolve() throws Exception {
    // Given a registry with one partition's consumer lag, and receivers for Slack and PagerDuty
    MeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong lag = new AtomicLong(10);
    Gauge.builder("nip.kafka.consumer.lag", lag, AtomicLong::get).tag("partition", "0").register(registry);
    ManualClock clock = new ManualClock(Instant.parse("2026-11-30T20:00:00Z"));
    try (HttpReceiver slackReceiver = HttpReceiver.start(200); HttpReceiver pagerDutyReceiver = HttpReceiver.start(202)) {
      String slackWebhookUrl = slackReceiver.url("/services/T000/B000/XXXX");
      String pagerDutyEndpoint = pagerDutyReceiver.url("/v2/enqueue");
      String smtpHost = "127.0.0.1";
      int smtpPort = SMTP.getSmtp().getPort();

      // When the manager runs and the lag goes above 1000 records, then back
      // tag::alerting[]
      SlackChannel slack = SlackChannel.builder().webhookUrl(slackWebhookUrl).build();
      EmailChannel email = EmailChannel.builder().host(smtpHost).port(smtpPort)
          .from("nip@example.com").to("oncall@example.com").build();
      PagerDutyChannel pagerDuty = PagerDutyChannel.builder().routingKey("0123456789abcdef0123456789abcdef")
          .endpoint(pagerDutyEndpoint).build(); // default: PagerDuty's Events API v2
      try (AlertManager alerts = AlertManager.builder("streaming_alerts", List.of(slack, email, pagerDuty))
          .evaluationInterval(Duration.ofSeconds(30))
          .throttleInterval(Duration.ofMinutes(10)) // a firing alert is repeated every 10 min at most
          .meterRegistry(registry) // nip.alerts.sent, .retries, .failed {manager, channel}
          .clock(clock) // the pipeline's clock; here a ManualClock
          .build()
          .alert(AlertCondition.unhealthy("consumer_lag", HealthChecks.consumerLag(registry, 1000)),
              AlertSeverity.WARNING, "Consumer lag exceeded threshold")
          .alert(AlertCondition.unhealthy("error_rate", HealthChecks.errorRate(registry, 0.01, clock)),
              AlertSeverity.CRITICAL, "Error rate exceeded threshold")
          .start()) {
        // end::alerting[]
        lag.set(1_500);
        clock.advance(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> pagerDutyReceiver.requests().size() == 1
            && slackReceiver.requests().size() == 1 && SMTP.getReceivedMessages().length == 1);
        lag.set(0);
        clock.advance(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> pagerDutyReceiver.requests().size() == 2
            && slackReceiver.requests().size() == 2 && SMTP.getReceivedMessages().length == 2);
      }

      // Then each channel got the lag alert firing, then resolved
      assertThat(pagerDutyReceiver.requests()).extracting(r -> r.json().get("event_action").asText())
          .containsExactly("trigger", "resolve");
      assertThat(pagerDutyReceiver.requests().get(0).json().at("/payload/summary").asText())
          .isEqualTo("[WARNING] streaming_alerts/consumer_lag FIRING: Consumer lag exceeded threshold"
              + " (max consumer lag 1500 records (limit 1000))");
      assertThat(slackReceiver.requests()).extracting(r -> r.json().get("text").asText())
          .satisfiesExactly(t -> assertThat(t).contains("consumer_lag* is firing"),
              t -> assertThat(t).contains("consumer_lag* resolved"));
      assertThat(SMTP.getReceivedMessages()[1].getSubject())
          .isEqualTo("[WARNING] streaming_alerts/consumer_lag RESOLVED: Consumer lag exceeded threshold");
      assertThat(registry.get("nip.alerts.sent").tag("channel", "email").counter().count()).isEqualTo(2);
    }
  }
}
