package io.nip.pipeline;

import io.nip.errors.ConfigurationException;

/**
 * Settings of {@link Stream#mapAsync}: how many calls may be in flight at once, and whether results
 * keep the input order.
 *
 * <pre>{@code
 * stream.mapAsync(e -> client.lookup(e), AsyncOptions.ordered(64));
 * }</pre>
 *
 * @param maxInFlight most calls started but not yet emitted, 1 to 100000
 * @param ordered true: results leave in input order; false: as soon as they complete
 */
public record AsyncOptions(int maxInFlight, boolean ordered) {

  /** Validates the bound. */
  public AsyncOptions {
    if (maxInFlight < 1 || maxInFlight > 100_000) {
      throw ConfigurationException.invalid("maxInFlight", maxInFlight, "must be between 1 and 100000");
    }
  }

  /**
   * @param maxInFlight most calls in flight
   * @return results in input order
   */
  public static AsyncOptions ordered(int maxInFlight) {
    return new AsyncOptions(maxInFlight, true);
  }

  /**
   * @param maxInFlight most calls in flight
   * @return results as they complete
   */
  public static AsyncOptions unordered(int maxInFlight) {
    return new AsyncOptions(maxInFlight, false);
  }
}
