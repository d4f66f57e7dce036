package io.nip.monitoring;

import io.nip.errors.ConfigurationException;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a {@link TracingManager} starts traces (the tutorial's {@code sampler_type}). Each is
 * OpenTelemetry's sampler under a {@code ParentBased} sampler: the type decides only for records
 * that arrive without a trace context; a record whose headers carry a {@code traceparent} keeps
 * its parent's decision (sampled or not), so a trace crossing pipelines is either whole or absent.
 *
 * <pre>{@code
 * TracingManager tracing = new TracingManager("orders", SamplerType.PROBABILISTIC, 0.1);
 * }</pre>
 */
public enum SamplerType {
  /** Every new trace is sampled ({@code parentbased_always_on}). */
  ALWAYS,
  /** No new trace is sampled ({@code parentbased_always_off}); sampled parents are still continued. */
  NEVER,
  /** A fraction of new traces, chosen from the trace id ({@code parentbased_traceidratio}). */
  PROBABILISTIC;

  /**
   * @param name the tutorial's {@code "always"}, {@code "never"} or {@code "probabilistic"}, any case
   * @return the sampler type
   * @throws ConfigurationException naming {@code samplerType} when the name is none of those
   */
  public static SamplerType of(String name) {
    Objects.requireNonNull(name, "name");
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ConfigurationException.invalid("samplerType", "'" + name + "'",
          "must be one of always, never, probabilistic");
    }
  }
}
