package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.nip.time.ManualClock;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** E-mail alerts, received by a real SMTP server (GreenMail) on 127.0.0.1 with authentication. */
class AlertEmailTest {
  private static final String PASSWORD = "Sm7p-pa55word-for-alerts";

  @RegisterExtension
  static final GreenMailExtension SMTP = new GreenMailExtension(
      new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
      .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@nip.test", "alerts", PASSWORD));

  private EmailChannel.Builder email() {
    return EmailChannel.builder().host("127.0.0.1").port(SMTP.getSmtp().getPort())
        .credentials("alerts", PASSWORD).from("alerts@nip.test").to("oncall@nip.test", "lead@nip.test")
        .timeout(Duration.ofSeconds(5));
  }

  @Test
  void an_alert_that_fires_and_clears_sends_two_emails_to_every_recipient() throws Exception {
    // Given an e-mail channel logging in to the SMTP server, and an alert that fires
    ManualClock clock = new ManualClock(Instant.parse("2026-11-30T20:00:00Z"));
    AtomicBoolean lagHigh = new AtomicBoolean(true);
    AlertManager alerts = AlertManager.builder("streaming_alerts", List.of(email().build())).clock(clock)
        .deliverOnCallerThread(true).build()
        .alert(AlertCondition.unhealthy("consumer_lag", () -> lagHigh.get()
            ? HealthResult.degraded("max consumer lag 1200 records (limit 1000)") : HealthResult.up("lag 3")),
            AlertSeverity.WARNING, "Consumer lag exceeded threshold");

    // When it is evaluated, then the lag drops and it is evaluated again
    alerts.evaluate();
    clock.advance(Duration.ofSeconds(30));
    lagHigh.set(false);
    alerts.evaluate();

    // Then each recipient got a FIRING and a RESOLVED mail with the alert's subject and body
    MimeMessage[] received = SMTP.getReceivedMessages();
    assertThat(received).hasSize(4);
    MimeMessage firing = received[0];
    assertThat(firing.getSubject())
        .isEqualTo("[WARNING] streaming_alerts/consumer_lag FIRING: Consumer lag exceeded threshold");
    assertThat(firing.getFrom()[0].toString()).isEqualTo("alerts@nip.test");
    assertThat(firing.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
        .containsExactly("oncall@nip.test", "lead@nip.test");
    String body = GreenMailUtil.getBody(firing);
    assertThat(body).contains("Alert:    consumer_lag", "Status:   FIRING", "Severity: warning",
        "Detail:   max consumer lag 1200 records (limit 1000)", "At:       2026-11-30T20:00:00Z");
    String resolved = "[WARNING] streaming_alerts/consumer_lag RESOLVED: Consumer lag exceeded threshold";
    assertThat(received).extracting(MimeMessage::getSubject) // one copy per recipient
        .containsExactlyInAnyOrder(firing.getSubject(), firing.getSubject(), resolved, resolved);
    assertThat(received).extracting(GreenMailUtil::getBody)
        .filteredOn(b -> b.contains("Status:   RESOLVED")).hasSize(2)
        .allSatisfy(b -> assertThat(b).contains("At:       2026-11-30T20:00:30Z"));
  }

  @Test
  void rejected_credentials_are_not_retried_and_the_password_stays_out_of_the_error() {
    // Given an e-mail channel with a wrong password
    EmailChannel wrong = email().credentials("alerts", "Wr0ng-pa55word-xyz").build();
    AlertNotification n = new AlertNotification("m", "a", AlertStatus.FIRING, AlertSeverity.INFO, "msg", "",
        Instant.parse("2026-11-30T20:00:00Z"));

    // When it sends, then it fails without retry and without the password in the message
    assertThatThrownBy(() -> wrong.send(n)).isInstanceOfSatisfying(AlertDeliveryException.class, e -> {
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("rejected the credentials").doesNotContain("Wr0ng-pa55word-xyz");
      assertThat(e.getCause()).isNull();
    });
    assertThat(SMTP.getReceivedMessages()).isEmpty();
    assertThat(wrong.toString()).contains("password=<redacted>").doesNotContain("Wr0ng-pa55word-xyz");
  }
}
