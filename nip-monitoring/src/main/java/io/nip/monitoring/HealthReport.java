package io.nip.monitoring;

import java.time.Instant;
import java.util.Map;

/**
 * The result of one run of a {@link PipelineMonitor}'s checks; what {@code /health} serves as JSON:
 * {@code {"name":..,"status":"UP","checkedAt":"2026-..Z","checks":{"consumer_lag":{"status":"UP","detail":".."}}}}.
 *
 * @param name the monitor's name
 * @param status the overall status: the worst of the checks' (see {@link HealthStatus})
 * @param checks each check's result by check name, in registration order
 * @param checkedAt when the checks ran (the monitor's clock)
 */
public record HealthReport(String name, HealthStatus status, Map<String, HealthResult> checks, Instant checkedAt) {
  /** @return the HTTP status {@code /health} answers with: 200 when UP or DEGRADED, 503 when DOWN */
  public int httpStatus() {
    return status == HealthStatus.DOWN ? 503 : 200;
  }
}
