package io.nip.runtime.internal;

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
  public static final Object DROPPED = new Object();
  private static final Logger LOG = LoggerFactory.getLogger(Guard.class);

  private final String operator;
  private final ErrorPolicy policy;
  private final TaskRuntime rt;
  private final RateLimitedLog skipLog;

  /**
   * @param operator the operator name (metrics, logs, dead letters)
   * @param policy the policy to apply
   * @param rt the task
   */
  public Guard(String operator, ErrorPolicy policy, TaskRuntime rt) {
    this.operator = operator;
    this.policy = policy;
    this.rt = rt;
    this.skipLog = new RateLimitedLog(LOG, Duration.ofSeconds(10), rt.clock());
  }

  /** @return the operator name */
  public String operator() {
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
  public Object recover(Object value, Throwable error, Function<?, ?> retry) {
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

  /**
   * Extracts a record's key; a failure or a null key goes to the error policy.
   *
   * @param keyFn the key function
   * @param value the record
   * @param operation "keyBy" or "keyByPartitioned", for the message
   * @return the key, or {@link #DROPPED} when the record is gone
   * @throws NipException when the policy says FAIL
   */
  public Object keyOf(Function<Object, Object> keyFn, Object value, String operation) {
    try {
      Object key = keyFn.apply(value);
      if (key == null) {
        throw new NipException(operation + " produced a null key");
      }
      return key;
    } catch (RuntimeException e) {
      return recover(value, e, keyFn);
    }
  }

  /**
   * Applies the policy without retry (deserialization failures, bad keys).
   *
   * @param value the input that failed, or null
   * @param error the failure
   * @return {@link #DROPPED}
   * @throws NipException when the policy says FAIL
   */
  public Object reject(Object value, Throwable error) {
    ErrorPolicy p = policy.kind() == ErrorPolicy.Kind.RETRY ? policy.fallback() : policy;
    return apply(p, value, error);
  }

  private Object apply(ErrorPolicy p, Object value, Throwable error) {
    switch (p.kind()) {
      case SKIP:
        count("skipped");
        skipLog.warn("operator '{}' skipped a record at {}[{}]@{}: {}", operator, rt.sourceName(),
            rt.partition(), rt.sourcePosition(), error.toString());
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
        rt.clock().instant(), rt.headers());
  }

  static String render(Object value) {
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
