package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets (webhook URLs, routing keys, header values, SMTP passwords) appear in no log line, no
 * exception message and no {@code toString()}, even when a receiver fails, echoes what it was sent,
 * or cannot be reached. The log lines are those slf4j-simple writes to {@code System.err}, debug
 * lines of the retries included (see simplelogger.properties).
 */
class AlertSecretsTest {
  private static final String SLACK_PATH = "/services/T0SECRET/B0SECRET/xoxbSlackSecretToken";
  private static final String ROUTING_KEY = "pdRoutingKeySecret0123456789abcd";
  private static final String TOKEN = "Bearer webhookHeaderSecret42";
  private static final String QUERY_SECRET = "apikey=querySecret7777";
  private static final String PASSWORD = "smtpPasswordSecret99";

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureLogs() {
    originalErr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreLogs() {
    System.setErr(originalErr);
  }

  private static List<String> secretsIn(String text) {
    List<String> found = new ArrayList<>();
    for (String s : List.of("T0SECRET", "xoxbSlackSecretToken", ROUTING_KEY, "webhookHeaderSecret42",
        "querySecret7777", PASSWORD)) {
      if (text.contains(s)) {
        found.add(s);
      }
    }
    return found;
  }

  @Test
  void failing_and_unreachable_channels_log_and_throw_no_secret() throws Exception {
    // Given receivers that fail (one echoing the request, which holds the routing key) and an SMTP
    // port where nothing listens
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    ManualClock clock = new ManualClock(Instant.parse("2026-11-30T20:00:00Z"));
    try (HttpReceiver failing = HttpReceiver.start(500); HttpReceiver echoing = HttpReceiver.start(500).echoing()) {
      List<AlertChannel> channels = List.of(
          SlackChannel.builder().webhookUrl(failing.url(SLACK_PATH)).build(),
          PagerDutyChannel.builder().routingKey(ROUTING_KEY).endpoint(echoing.url("/v2/enqueue")).build(),
          WebhookChannel.builder().url(failing.url("/hook?" + QUERY_SECRET)).header("Authorization", TOKEN).build(),
          WebhookChannel.builder().name("unreachable").url("http://127.0.0.1:" + closedPort + "/x?" + QUERY_SECRET)
              .timeout(Duration.ofSeconds(2)).build(),
          EmailChannel.builder().host("127.0.0.1").port(closedPort).credentials("alerts", PASSWORD)
              .from("a@nip.test").to("b@nip.test").timeout(Duration.ofSeconds(2)).build());
      AlertManager alerts = AlertManager.builder("m", channels).clock(clock).deliverOnCallerThread(true)
          .retry(2, Duration.ofSeconds(1), Duration.ofSeconds(1)).build()
          .alert(AlertCondition.of("always", () -> true), AlertSeverity.CRITICAL, "Always firing");

      // When the alert fires, every channel fails twice and gives up
      alerts.evaluate();
      clock.advance(Duration.ofSeconds(1));
      alerts.runIfDue();

      // Then the failures were logged (retry and give-up lines for all five channels) and counted,
      // and no secret is in the log, in toString() or in the exceptions
      String log = captured.toString(StandardCharsets.UTF_8);
      assertThat(log).contains("channel 'slack' gave up", "channel 'pagerduty' gave up", "channel 'webhook' gave up",
          "channel 'unreachable' gave up", "channel 'email' gave up", "failed attempt 1 of 2");
      assertThat(echoing.requests()).isNotEmpty()
          .allSatisfy(r -> assertThat(r.body()).contains(ROUTING_KEY)); // the echo did carry it back
      assertThat(secretsIn(log)).isEmpty();
      assertThat(alerts.registry().find("nip.alerts.failed").counters())
          .allSatisfy(c -> assertThat(c.count()).isEqualTo(1)).hasSize(5);
      assertThat(secretsIn(alerts.toString() + channels)).isEmpty();
      AlertNotification n = new AlertNotification("m", "a", AlertStatus.FIRING, AlertSeverity.INFO, "msg", "",
          clock.instant());
      for (AlertChannel c : channels) {
        assertThatThrownBy(() -> c.send(n)).isInstanceOfSatisfying(AlertDeliveryException.class,
            e -> assertThat(secretsIn(e.getMessage())).isEmpty());
      }
    }
  }

  @Test
  void configuration_errors_do_not_show_secret_values() {
    // Given URLs and keys that are invalid but hold secrets
    List<Runnable> bad = List.of(
        () -> SlackChannel.builder().webhookUrl("hooks.example.com" + SLACK_PATH).build(),
        () -> SlackChannel.builder().webhookUrl("ftp://hooks.example.com" + SLACK_PATH).build(),
        () -> WebhookChannel.builder().url("http://[bad" + "?" + QUERY_SECRET).build(),
        () -> PagerDutyChannel.builder().routingKey(ROUTING_KEY).endpoint("nope " + ROUTING_KEY).build());

    // When they are built, then each fails naming the setting, without the value
    for (Runnable r : bad) {
      assertThatThrownBy(r::run).isInstanceOf(io.nip.errors.ConfigurationException.class)
          .satisfies(e -> assertThat(secretsIn(e.getMessage())).isEmpty())
          .hasMessageContaining("is not shown");
    }
  }
}
