package io.nip.monitoring;

import java.util.Objects;

/**
 * What one health check found.
 *
 * @param status the check's status
 * @param detail a short human-readable reason, e.g. {@code "max consumer lag 12 records (limit 1000)"}
 */
public record HealthResult(HealthStatus status, String detail) {
  /**
   * @param status the check's status
   * @param detail a short reason
   * @throws NullPointerException when either is null
   */
  public HealthResult {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * @param detail a short reason
   * @return an UP result
   */
  public static HealthResult up(String detail) {
    return new HealthResult(HealthStatus.UP, detail);
  }

  /**
   * @param detail a short reason
   * @return a DEGRADED result
   */
  public static HealthResult degraded(String detail) {
    return new HealthResult(HealthStatus.DEGRADED, detail);
  }

  /**
   * @param detail a short reason
   * @return a DOWN result
   */
  public static HealthResult down(String detail) {
    return new HealthResult(HealthStatus.DOWN, detail);
  }
}
