package io.nip.monitoring;

import java.time.Instant;
import java.util.Objects;

/**
 * One notification an {@link AlertManager} hands to each of its {@link AlertChannel}s.
 *
 * @param manager the manager's name, e.g. {@code "streaming_alerts"}
 * @param alert the alert's (its condition's) name, e.g. {@code "consumer_lag"}
 * @param status FIRING or RESOLVED
 * @param severity the alert's severity
 * @param message the alert's message, e.g. {@code "Consumer lag exceeded threshold"}
 * @param detail what the condition reported at the evaluation (may be empty)
 * @param at when the evaluation that decided it ran, on the manager's clock
 */
public record AlertNotification(String manager, String alert, AlertStatus status, AlertSeverity severity,
    String message, String detail, Instant at) {
  /**
   * @param manager the manager's name
   * @param alert the alert's name
   * @param status FIRING or RESOLVED
   * @param severity the alert's severity
   * @param message the alert's message
   * @param detail what the condition reported (may be empty)
   * @param at when the evaluation ran
   * @throws NullPointerException when any component is null
   */
  public AlertNotification {
    Objects.requireNonNull(manager, "manager");
    Objects.requireNonNull(alert, "alert");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(at, "at");
  }

  /**
   * @return a key that stays the same for every notification of this alert of this manager
   *     ({@code manager/alert}): PagerDuty's {@code dedup_key}, and what receivers can group on
   */
  public String dedupKey() {
    return manager + "/" + alert;
  }

  /**
   * @return a one-line summary, e.g. {@code "[CRITICAL] streaming_alerts/error_rate FIRING: Error rate
   *     exceeded threshold (error rate 2.0 % (limit 1.0 %))"}
   */
  public String summary() {
    String s = "[" + severity + "] " + dedupKey() + " " + status + ": " + message;
    return detail.isEmpty() ? s : s + " (" + detail + ")";
  }
}
