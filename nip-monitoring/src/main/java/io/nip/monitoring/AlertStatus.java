package io.nip.monitoring;

/** Whether a notification says that an alert's condition holds or that it no longer does. */
public enum AlertStatus {
  /** The condition holds: sent when it starts to hold, then at most once per throttle interval. */
  FIRING,
  /** The condition held and was notified, and no longer holds: sent once when it clears. */
  RESOLVED
}
