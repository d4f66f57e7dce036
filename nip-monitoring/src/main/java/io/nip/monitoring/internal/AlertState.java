package io.nip.monitoring.internal;

import io.nip.monitoring.AlertStatus;
import java.time.Duration;

/**
 * Throttling, deduplication and resolution of one alert: given what each evaluation of its
 * condition found, decides whether to notify.
 *
 * <p>Rules (the README's "throttling semantics"): a FIRING notification goes out when the condition
 * holds and no FIRING notification of this alert went out within the last throttle interval, so an
 * alert that stays firing is repeated once per interval, and one that flaps notifies at most once per
 * interval. A RESOLVED notification goes out once when the condition stops holding, if (and only if)
 * its current episode was notified as FIRING: a suppressed flap is not resolved either. RESOLVED
 * notifications are not throttled and do not count against the interval.
 *
 * <p>Not thread-safe: the manager calls it under its own lock.
 */
public final class AlertState {
  private final long throttleMillis;
  private boolean firing;
  private boolean notified;
  private long lastFiringSent = Long.MIN_VALUE;

  /** @param throttleInterval shortest time between two FIRING notifications */
  public AlertState(Duration throttleInterval) {
    this.throttleMillis = throttleInterval.toMillis();
  }

  /**
   * @param holds what the evaluation found
   * @param nowMillis the manager's clock at the evaluation
   * @return the notification to send, or null for none
   */
  public AlertStatus next(boolean holds, long nowMillis) {
    if (holds) {
      firing = true;
      if (lastFiringSent == Long.MIN_VALUE || nowMillis - lastFiringSent >= throttleMillis) {
        lastFiringSent = nowMillis;
        notified = true;
        return AlertStatus.FIRING;
      }
      return null;
    }
    boolean resolve = firing && notified;
    firing = false;
    notified = false;
    return resolve ? AlertStatus.RESOLVED : null;
  }

  /** @return true while the condition held at the latest evaluation */
  public boolean firing() {
    return firing;
  }
}
