package io.nip.monitoring;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A named condition that an {@link AlertManager} evaluates on its schedule: an alert fires while its
 * condition holds. A condition that throws counts as holding, with the exception as its detail, so
 * that a broken check is not silent.
 *
 * <pre>{@code
 * AlertCondition lag = AlertCondition.unhealthy("consumer_lag", HealthChecks.consumerLag(registry, 1000));
 * AlertCondition full = AlertCondition.of("disk_full", () -> disk.usable() < 1_000_000);
 * }</pre>
 */
public interface AlertCondition {
  /** @return the alert's name, e.g. {@code "consumer_lag"}; unique within a manager */
  String name();

  /**
   * Evaluates the condition now; called on the manager's thread, should be quick.
   *
   * @return whether it holds, with a short detail for the notification
   */
  Evaluation evaluate();

  /**
   * What one evaluation found.
   *
   * @param firing true while the alert's condition holds
   * @param detail a short human-readable reason (empty when there is none)
   */
  record Evaluation(boolean firing, String detail) {
    /**
     * @param firing true while the condition holds
     * @param detail a short reason
     * @throws NullPointerException when detail is null
     */
    public Evaluation {
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * @param name the alert's name
   * @param firing true while the alert should fire
   * @return the condition, with no detail
   */
  static AlertCondition of(String name, BooleanSupplier firing) {
    Objects.requireNonNull(firing, "firing");
    return named(name, () -> new Evaluation(firing.getAsBoolean(), ""));
  }

  /**
   * The tutorial's style: a health check (such as {@code check_consumer_lag}) whose failure fires the
   * alert. It fires while the check is not {@link HealthStatus#UP}; the check's detail goes into the
   * notification.
   *
   * @param name the alert's name
   * @param check the health check
   * @return the condition
   */
  static AlertCondition unhealthy(String name, HealthCheck check) {
    Objects.requireNonNull(check, "check");
    return named(name, () -> {
      HealthResult r = check.check();
      if (r == null) {
        return new Evaluation(true, "the check returned no result");
      }
      return new Evaluation(r.status() != HealthStatus.UP, r.detail());
    });
  }

  private static AlertCondition named(String name, java.util.function.Supplier<Evaluation> evaluation) {
    Objects.requireNonNull(name, "name");
    return new AlertCondition() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Evaluation evaluate() {
        return evaluation.get();
      }

      @Override
      public String toString() {
        return "AlertCondition[" + name + "]";
      }
    };
  }
}
