package io.nip.monitoring;

/**
 * Where an {@link AlertManager} sends its notifications: {@link SlackChannel}, {@link EmailChannel},
 * {@link PagerDutyChannel}, {@link WebhookChannel}, or an application's own. A manager calls one
 * channel from one thread at a time; a channel's {@code toString()} must not show its secrets.
 *
 * <pre>{@code
 * AlertChannel console = new AlertChannel() {
 *   public String name() { return "console"; }
 *   public void send(AlertNotification n) { System.out.println(n.summary()); }
 * };
 * }</pre>
 */
public interface AlertChannel {
  /** @return the channel's name, unique within a manager; tags its metrics and log lines */
  String name();

  /**
   * Delivers one notification, blocking until the receiver accepted it or failed.
   *
   * @param notification what to send
   * @throws AlertDeliveryException when it was not delivered; retried when {@link
   *     AlertDeliveryException#retryable()} (any other runtime exception is retried too)
   */
  void send(AlertNotification notification);
}
