package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nip.errors.ConfigurationException;
import io.nip.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP channels' payloads, as received by a real HTTP server on 127.0.0.1. */
class AlertChannelsTest {
  private static final Instant START = Instant.parse("2026-11-30T20:00:00Z");
  private final ManualClock clock = new ManualClock(START);
  private final AtomicBoolean errorsHigh = new AtomicBoolean(true);
  private HttpReceiver receiver;

  @BeforeEach
  void startReceiver() {
    receiver = HttpReceiver.start(202);
  }

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  /** Fires the error-rate alert, then clears it: one FIRING and one RESOLVED per channel. */
  private void fireAndResolve(AlertChannel... channels) {
    AlertManager alerts = AlertManager.builder("streaming_alerts", List.of(channels)).clock(clock)
        .deliverOnCallerThread(true).build()
        .alert(AlertCondition.of("error_rate", errorsHigh::get), AlertSeverity.CRITICAL, "Error rate exceeded threshold");
    alerts.evaluate();
    clock.advance(Duration.ofSeconds(30));
    errorsHigh.set(false);
    alerts.evaluate();
  }

  @Test
  void slack_receives_an_incoming_webhook_message_per_notification() {
    // Given a Slack channel whose webhook is the local receiver
    SlackChannel slack = SlackChannel.builder().webhookUrl(receiver.url("/services/T000/B000/XXXX")).build();

    // When an alert fires and resolves
    fireAndResolve(slack);

    // Then two JSON POSTs with a text field reached the webhook's path
    assertThat(receiver.requests()).hasSize(2).allSatisfy(r -> {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/services/T000/B000/XXXX");
      assertThat(r.contentType()).startsWith("application/json");
      assertThat(r.json().fieldNames()).toIterable().containsExactly("text");
    });
    String firing = receiver.requests().get(0).json().get("text").asText();
    assertThat(firing).startsWith(":rotating_light: *[CRITICAL] error_rate* is firing: Error rate exceeded threshold")
        .endsWith("_streaming_alerts, 2026-11-30T20:00:00Z_");
    assertThat(receiver.requests().get(1).json().get("text").asText())
        .startsWith(":white_check_mark: *[CRITICAL] error_rate* resolved: Error rate exceeded threshold");
  }

  @Test
  void pagerduty_receives_a_trigger_then_a_resolve_with_one_dedup_key() {
    // Given a PagerDuty channel whose events endpoint is the local receiver
    PagerDutyChannel pd = PagerDutyChannel.builder().routingKey("R0UT1NGKEY0123456789abcdefABCDEF")
        .endpoint(receiver.url("/v2/enqueue")).source("orders-pipeline").build();

    // When an alert fires and resolves
    fireAndResolve(pd);

    // Then a trigger event in the Events API v2 shape, then a resolve with the same dedup_key
    assertThat(receiver.requests()).hasSize(2).allSatisfy(r -> assertThat(r.path()).isEqualTo("/v2/enqueue"));
    JsonNode trigger = receiver.requests().get(0).json();
    assertThat(trigger.get("routing_key").asText()).isEqualTo("R0UT1NGKEY0123456789abcdefABCDEF");
    assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
    assertThat(trigger.get("dedup_key").asText()).isEqualTo("streaming_alerts/error_rate");
    JsonNode payload = trigger.get("payload");
    assertThat(payload.get("summary").asText())
        .isEqualTo("[CRITICAL] streaming_alerts/error_rate FIRING: Error rate exceeded threshold");
    assertThat(payload.get("source").asText()).isEqualTo("orders-pipeline");
    assertThat(payload.get("severity").asText()).isEqualTo("critical");
    assertThat(payload.get("timestamp").asText()).isEqualTo("2026-11-30T20:00:00Z");
    JsonNode resolve = receiver.requests().get(1).json();
    assertThat(resolve.get("event_action").asText()).isEqualTo("resolve");
    assertThat(resolve.get("dedup_key").asText()).isEqualTo("streaming_alerts/error_rate");
    assertThat(resolve.get("routing_key").asText()).isEqualTo("R0UT1NGKEY0123456789abcdefABCDEF");
    assertThat(resolve.has("payload")).isFalse();
  }

  @Test
  void a_webhook_receives_every_field_and_the_configured_headers() {
    // Given a webhook channel with a bearer token header
    WebhookChannel hook = WebhookChannel.builder().url(receiver.url("/alerts?team=ops"))
        .header("Authorization", "Bearer t0ken-abc").build();

    // When an alert fires and resolves
    fireAndResolve(hook);

    // Then two POSTs carry the notification's fields and the header
    assertThat(receiver.requests()).hasSize(2);
    JsonNode firing = receiver.requests().get(0).json();
    assertThat(receiver.requests().get(0).path()).isEqualTo("/alerts?team=ops");
    assertThat(firing.get("manager").asText()).isEqualTo("streaming_alerts");
    assertThat(firing.get("alert").asText()).isEqualTo("error_rate");
    assertThat(firing.get("status").asText()).isEqualTo("FIRING");
    assertThat(firing.get("severity").asText()).isEqualTo("critical");
    assertThat(firing.get("message").asText()).isEqualTo("Error rate exceeded threshold");
    assertThat(firing.get("at").asText()).isEqualTo("2026-11-30T20:00:00Z");
    assertThat(firing.get("dedupKey").asText()).isEqualTo("streaming_alerts/error_rate");
    JsonNode resolved = receiver.requests().get(1).json();
    assertThat(resolved.get("status").asText()).isEqualTo("RESOLVED");
    assertThat(resolved.get("at").asText()).isEqualTo("2026-11-30T20:00:30Z");
    assertThat(receiver.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer t0ken-abc"));
  }

  @Test
  void configuration_errors_name_the_setting() {
    assertThatThrownBy(() -> SlackChannel.builder().build()).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("slack.webhookUrl: is required");
    assertThatThrownBy(() -> SlackChannel.builder().webhookUrl("hooks.slack.com/services/x").build())
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("slack.webhookUrl:");
    assertThatThrownBy(() -> WebhookChannel.builder().url("ftp://example.com/x").build())
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("webhook.url:");
    assertThatThrownBy(() -> PagerDutyChannel.builder().build()).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("pagerduty.routingKey:");
    assertThatThrownBy(() -> PagerDutyChannel.builder().routingKey("k".repeat(32)).endpoint("").build())
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("pagerduty.endpoint:");
    assertThatThrownBy(() -> SlackChannel.builder().timeout(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("slack.timeout:");
    assertThatThrownBy(() -> WebhookChannel.builder().name(" "))
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("webhook.name:");
    assertThatThrownBy(() -> EmailChannel.builder().port(0)).isInstanceOf(ConfigurationException.class)
        .hasMessage("email.port: must be within 1..65535, but was 0");
    assertThatThrownBy(() -> EmailChannel.builder().port(70_000)).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("email.port:");
    assertThatThrownBy(() -> EmailChannel.builder().from("a@b.test").to("c@d.test").build())
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("email.host:");
    assertThatThrownBy(() -> EmailChannel.builder().host("smtp.test").to("c@d.test").build())
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("email.from:");
    assertThatThrownBy(() -> EmailChannel.builder().host("smtp.test").from("a@b.test").build())
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("email.to:");
    assertThatThrownBy(() -> EmailChannel.builder().host("smtp.test").from("not an address").to("c@d.test").build())
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("email.from:");
  }
}
