package io.nip.errors;

import io.nip.sink.Sink;
import java.time.Duration;
import java.util.Objects;

/**
 * What happens to a record whose processing failed: deserialization, schema validation or user
 * code. Set once per pipeline ({@code PipelineConfig.Builder.errorPolicy}) and override it per
 * operator ({@code Op.named("parse").onError(...)}).
 *
 * <pre>{@code
 * ErrorPolicy dlq = ErrorPolicy.deadLetter(Sinks.jsonLines(Path.of("dlq.jsonl")));
 * ErrorPolicy retry = ErrorPolicy.retry(3, Duration.ofMillis(50)).orElse(dlq);
 * }</pre>
 *
 * <p>Every outcome is counted in the metric {@code nip.errors} (tags: pipeline, operator, outcome).
 */
public final class ErrorPolicy {

  /** The decision taken for a failed record. */
  public enum Kind {
    /** Stop the pipeline; the failure is reported by the pipeline handle. */
    FAIL,
    /** Drop the record, count it and log it (rate limited). */
    SKIP,
    /** Call the function again after a backoff, then fall back to another policy. */
    RETRY,
    /** Send the record, with its error, to a dead-letter sink and go on. */
    DEAD_LETTER
  }

  private static final ErrorPolicy FAIL = new ErrorPolicy(Kind.FAIL, 0, Duration.ZERO, null, null);
  private static final ErrorPolicy SKIP = new ErrorPolicy(Kind.SKIP, 0, Duration.ZERO, null, null);

  private final Kind kind;
  private final int attempts;
  private final Duration backoff;
  private final Sink<DeadLetter> deadLetterSink;
  private final ErrorPolicy fallback;

  private ErrorPolicy(
      Kind kind, int attempts, Duration backoff, Sink<DeadLetter> sink, ErrorPolicy fallback) {
    this.kind = kind;
    this.attempts = attempts;
    this.backoff = backoff;
    this.deadLetterSink = sink;
    this.fallback = fallback;
  }

  /** @return stop the pipeline on the first failure */
  public static ErrorPolicy fail() {
    return FAIL;
  }

  /** @return drop failed records, counted and logged */
  public static ErrorPolicy skip() {
    return SKIP;
  }

  /**
   * @param sink where failed records go, with the raw record and the error
   * @return a policy that sends failed records to {@code sink}
   */
  public static ErrorPolicy deadLetter(Sink<DeadLetter> sink) {
    return new ErrorPolicy(Kind.DEAD_LETTER, 0, Duration.ZERO, Objects.requireNonNull(sink, "sink"), null);
  }

  /**
   * Retries the failing function, then fails the pipeline; chain {@link #orElse} for another
   * fallback. Deserialization failures are not retried (the bytes will not change): they go to the
   * fallback at once.
   *
   * @param attempts how many more times to call the function, at least 1
   * @param backoff pause before each new attempt (on the pipeline's clock), not negative
   * @return the retry policy
   */
  public static ErrorPolicy retry(int attempts, Duration backoff) {
    if (attempts < 1) {
      throw ConfigurationException.invalid("errorPolicy.retry.attempts", attempts, "must be at least 1");
    }
    Objects.requireNonNull(backoff, "backoff");
    if (backoff.isNegative()) {
      throw ConfigurationException.invalid("errorPolicy.retry.backoff", backoff, "must not be negative");
    }
    return new ErrorPolicy(Kind.RETRY, attempts, backoff, null, FAIL);
  }

  /**
   * @param next the policy applied when every retry failed
   * @return a retry policy with that fallback
   */
  public ErrorPolicy orElse(ErrorPolicy next) {
    Objects.requireNonNull(next, "next");
    if (kind != Kind.RETRY) {
      throw new ConfigurationException("errorPolicy", "orElse applies to retry(..) only, not to " + kind);
    }
    if (next.kind == Kind.RETRY) {
      throw new ConfigurationException("errorPolicy", "the fallback of a retry cannot be another retry");
    }
    return new ErrorPolicy(kind, attempts, backoff, null, next);
  }

  /** @return the decision */
  public Kind kind() {
    return kind;
  }

  /** @return for RETRY, how many extra attempts; else 0 */
  public int attempts() {
    return attempts;
  }

  /** @return for RETRY, the pause before each attempt */
  public Duration backoff() {
    return backoff;
  }

  /** @return for DEAD_LETTER, the sink; else null */
  public Sink<DeadLetter> deadLetterSink() {
    return deadLetterSink;
  }

  /** @return for RETRY, the policy applied after the last attempt; else null */
  public ErrorPolicy fallback() {
    return fallback;
  }

  @Override
  public String toString() {
    switch (kind) {
      case RETRY:
        return "RETRY(" + attempts + ", " + backoff + ") then " + fallback;
      case DEAD_LETTER:
        return "DEAD_LETTER(" + deadLetterSink.name() + ")";
      default:
        return kind.name();
    }
  }
}
