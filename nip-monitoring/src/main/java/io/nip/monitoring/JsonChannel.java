package io.nip.monitoring;

import io.nip.monitoring.internal.JsonPost;

/**
 * The HTTP channels' common part: a name, and one JSON POST per notification of the body that
 * {@link #json(AlertNotification)} makes.
 */
abstract class JsonChannel implements AlertChannel {
  private final String name;
  private final JsonPost post;

  JsonChannel(String name, JsonPost post) {
    this.name = name;
    this.post = post;
  }

  /** @return the channel's name in its manager, metrics and logs */
  @Override
  public final String name() {
    return name;
  }

  /**
   * POSTs the channel's JSON body for the notification.
   *
   * @throws AlertDeliveryException when the receiver does not answer 2xx: retryable after an I/O
   *     error, a timeout, HTTP 408, 429 or 5xx; not after any other status (a rejected request)
   */
  @Override
  public final void send(AlertNotification notification) {
    post.post(json(notification));
  }

  abstract String json(AlertNotification notification);
}
