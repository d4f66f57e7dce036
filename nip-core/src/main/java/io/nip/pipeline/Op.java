package io.nip.pipeline;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import java.util.Objects;

/**
 * Optional settings of one operator: its name (for metrics, logs and dead letters) and its own
 * error policy, overriding the pipeline's.
 *
 * <pre>{@code
 * stream.map(Parser::parse, Op.named("parse").onError(ErrorPolicy.deadLetter(dlq)));
 * }</pre>
 */
public final class Op {
  private final String name;
  private final ErrorPolicy errorPolicy;

  private Op(String name, ErrorPolicy errorPolicy) {
    this.name = name;
    this.errorPolicy = errorPolicy;
  }

  /**
   * @param name operator name, unique within the pipeline; letters, digits, '-', '_', '.'
   * @return options with that name
   */
  public static Op named(String name) {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw ConfigurationException.invalid("operator name", "'" + name + "'", "must use letters, digits, '-', '_' or '.'");
    }
    return new Op(name, null);
  }

  /**
   * @param policy the policy for failures in this operator
   * @return a copy with that policy
   */
  public Op onError(ErrorPolicy policy) {
    return new Op(name, Objects.requireNonNull(policy, "policy"));
  }

  /** @return the name */
  public String name() {
    return name;
  }

  /** @return the policy override, or null to use the pipeline's */
  public ErrorPolicy errorPolicy() {
    return errorPolicy;
  }
}
