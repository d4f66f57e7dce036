package io.nip.backpressure;

import io.nip.errors.NipException;

/**
 * Thrown by a throttled handler called directly, outside a pipeline, when its limiter has no token
 * at that moment. Inside a pipeline records wait for tokens instead and this is never thrown.
 */
public class RateLimitExceededException extends NipException {
  private static final long serialVersionUID = 1L;

  /** @param limiter the limiter that had no token */
  public RateLimitExceededException(RateLimiter limiter) {
    super("no token available: " + limiter + " (outside a pipeline a throttled handler does not wait)");
  }
}
