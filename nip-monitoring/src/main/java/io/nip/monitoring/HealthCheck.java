package io.nip.monitoring;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One health check of a {@link PipelineMonitor}, run on the monitor's thread every check interval.
 * A check that throws or returns null counts as {@link HealthStatus#DOWN}, with the exception as its
 * detail. Built-ins: {@link HealthChecks}.
 *
 * <pre>{@code
 * monitor.healthCheck("orders_fresh", () -> lastOrderAge().compareTo(Duration.ofMinutes(5)) < 0
 *     ? HealthResult.up("fresh") : HealthResult.degraded("no order for 5 minutes"));
 * }</pre>
 */
@FunctionalInterface
public interface HealthCheck {
  /**
   * @return what the check finds now; should be quick and must not block for long
   */
  HealthResult check();

  /**
   * The tutorial's boolean checks: true is UP, false is DOWN.
   *
   * @param healthy true when healthy
   * @param detail the detail reported either way, e.g. {@code "consumer lag < 1000"}
   * @return the check
   */
  static HealthCheck of(BooleanSupplier healthy, String detail) {
    Objects.requireNonNull(healthy, "healthy");
    Objects.requireNonNull(detail, "detail");
    return () -> healthy.getAsBoolean() ? HealthResult.up(detail) : HealthResult.down(detail);
  }
}
