package io.nip.monitoring;

import io.nip.errors.ConnectorException;

/**
 * A channel could not deliver a notification. Its message names the channel and what failed, never a
 * secret (no webhook URL, routing key or password), and it carries no cause, whose message could.
 * The {@link AlertManager} retries a {@link #retryable()} failure with exponential backoff.
 */
public class AlertDeliveryException extends ConnectorException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  /**
   * @param message what failed, naming the channel, free of secrets
   * @param retryable true when trying again may succeed (I/O errors, HTTP 429 and 5xx), false when it
   *     cannot (the receiver rejected the request, e.g. HTTP 400)
   */
  public AlertDeliveryException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  /** @return true when the manager should try again later */
  public boolean retryable() {
    return retryable;
  }
}
