package io.nip.monitoring;

import java.util.Locale;

/**
 * How urgent an alert is: the tutorial's {@code "info"}, {@code "warning"} and {@code "critical"}.
 * PagerDuty receives the same words as its {@code payload.severity}; Slack and e-mail show the name.
 */
public enum AlertSeverity {
  /** Worth knowing, nobody needs to act. */
  INFO,
  /** Someone should look soon (e.g. consumer lag above its limit). */
  WARNING,
  /** Someone must act now (e.g. the error rate above its limit). */
  CRITICAL;

  /** @return the lower-case name, as the tutorial writes it and PagerDuty expects it */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
