package io.nip.pipeline.internal;

import io.micrometer.core.instrument.Counter;
import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.errors.NipException;
import io.nip.errors.SerializationException;
import io.nip.errors.UserCodeException;
import io.nip.serde.Serdes;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an operator's {@link ErrorPolicy} to one failed record. Only the failure path runs here,
 * so the per-record cost of a healthy record is a try block. Each outcome is counted in
 * {@code nip.errors} (tags pipeline, operator, outcome) and skips are logged at a limited rate.
 * One instance per operator per task; confined to the task thread.
 */
public final class Guard {
  /** Returned by {@link #recover} when the record was skipped or dead-lettered. */
  static final Object DROPPED = new Object();
  private static final Logger LOG = LoggerFactory.getLogger(Guard.class);

  private final String operator;
  private final ErrorPolicy policy;
  private final TaskRuntime rt;
  private final RateLimitedLog skipLog;

  Guard(String operator, ErrorPolicy policy, TaskRuntime rt) {
    this.operator = operator;
    this.policy = policy;
    this.rt = rt;
    this.skipLog = new RateLimitedLog(LOG, Duration.ofSeconds(10), rt.clock());
  }

  String operator() {
    return operator;
  }

  /**
   * @param value the input that failed
   * @param error the failure
   * @param retry calls the function again, for RETRY
   * @return the function's result after a successful retry, or {@link #DROPPED}
   * @throws NipException when the policy says FAIL
   */
  @SuppressWarnings("unchecked")
  Object recover(Object value, Throwable error, Function<?, ?> retry) {
    ErrorPolicy p = policy;
    if (p.kind() == ErrorPolicy.Kind.RETRY) {
      Function<Object, Object> fn = (Function<Object, Object>) retry;
      for (int attempt = 1; attempt <= p.attempts() && retry != null; attempt++) {
        count("retried");
        try {
          rt.clock().sleep(p.backoff());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new NipException("interrupted while retrying operator '" + operator + "'", ie);
        }
        try {
          Object r = fn.apply(value);
          if (r != null) {
            count("recovered");
            return r;
          }
          error = new NipException("operator returned null");
        } catch (RuntimeException e) {
          error = e;
        }
      }
      p = p.fallback();
    }
    return apply(p, value, error);
  }

  /** Applies the policy without retry (deserialization failures, bad keys). */
  Object reject(Object value, Throwable error) {
    ErrorPolicy p = policy.kind() == ErrorPolicy.Kind.RETRY ? policy.fallback() : policy;
    return apply(p, value, error);
  }

  private Object apply(ErrorPolicy p, Object value, Throwable error) {
    switch (p.kind()) {
      case SKIP:
        count("skipped");
        skipLog.warn("operator '{}' skipped a record at {}[{}]@{}: {}", operator, rt.sourceName(),
            rt.partition(), rt.position(), error.toString());
        return DROPPED;
      case DEAD_LETTER:
        rt.deadLetterWriter(p.deadLetterSink()).write(deadLetter(value, error));
        count("dead_lettered");
        return DROPPED;
      default:
        count("failed");
        if (error instanceof NipException && !(error instanceof SerializationException)) {
          throw (NipException) error;
        }
        throw new UserCodeException(operator, error);
    }
  }

  private DeadLetter deadLetter(Object value, Throwable error) {
    long ts = rt.timestamp();
    Instant eventTime = ts == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ts);
    byte[] raw = rt.raw();
    if (raw == null && error instanceof SerializationException) {
      raw = ((SerializationException) error).rawBytes();
    }
    return new DeadLetter(rt.pipelineName(), operator, rt.sourceName(), rt.partition(), rt.position(),
        eventTime, raw, render(value), error.getClass().getName(), String.valueOf(error.getMessage()),
        rt.clock().instant());
  }

  private static String render(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String) {
      return (String) value;
    }
    try {
      return Serdes.objectMapper().writeValueAsString(value);
    } catch (Exception e) {
      return String.valueOf(value);
    }
  }

  private void count(String outcome) {
    Counter.builder("nip.errors")
        .description("records whose processing failed, by outcome")
        .tag("pipeline", rt.pipelineName())
        .tag("operator", operator)
        .tag("outcome", outcome)
        .register(rt.meterRegistry())
        .increment();
  }
}
