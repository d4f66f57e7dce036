package io.nip.monitoring;

/**
 * The status of one health check and of a pipeline as a whole, from best to worst. The overall
 * status is the worst of the checks' statuses: any {@link #DOWN} check makes it DOWN, otherwise any
 * {@link #DEGRADED} check makes it DEGRADED, otherwise (no checks included) it is {@link #UP}.
 */
public enum HealthStatus {
  /** Working as expected. */
  UP,
  /** Working, but behind or close to a limit (lag, a filling buffer): HTTP 200, worth an alert. */
  DEGRADED,
  /** Not working as it should (failing records, a failed check): HTTP 503. */
  DOWN;

  /**
   * @param other another status
   * @return the worse of the two
   */
  public HealthStatus worst(HealthStatus other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
