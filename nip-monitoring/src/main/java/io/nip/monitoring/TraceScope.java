package io.nip.monitoring;

import io.nip.monitoring.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * A child span open on the current thread (the tutorial's {@code with tracing.span(name):}), from
 * {@link TracingManager#span(String)}: the current span until {@link #close()}, which ends it.
 *
 * <pre>{@code
 * try (TraceScope validate = tracing.span("validate_event")) {
 *   validate.attribute("order.id", order.id());
 *   validator.check(order);
 * }
 * }</pre>
 *
 * <p>In a trace that is not sampled the scope is a shared no-op: nothing is built or recorded. A
 * new trace that the sampler drops gets a scope that only makes its context current (so that the
 * spans opened inside are no-ops too, and injected headers carry the decision), no span.
 * Not thread-safe: close it on the thread that opened it, in reverse order of opening.
 */
public final class TraceScope implements AutoCloseable {
  static final TraceScope NOOP = new TraceScope(Span.getInvalid(), null);

  private final Span span;
  private final Scope scope;

  TraceScope(Span span, Scope scope) {
    this.span = span;
    this.scope = scope;
  }

  /** @return a scope making {@code dropped} (a new trace, not sampled) current until closed */
  static TraceScope unsampled(Span dropped) {
    return new TraceScope(dropped, dropped.makeCurrent());
  }

  /** @return the OpenTelemetry span (a non-recording one when the trace is not sampled) */
  public Span span() {
    return span;
  }

  /**
   * @param key the attribute's name, e.g. {@code "order.id"}
   * @param value its value; ignored when the span does not record
   * @return this
   */
  public TraceScope attribute(String key, String value) {
    span.setAttribute(key, value);
    return this;
  }

  /**
   * Marks the span failed: status ERROR and an {@code exception} event. Call it before rethrowing;
   * the {@code span(name, body)} forms of {@link TracingManager} do it themselves.
   *
   * @param error the failure
   */
  public void fail(Throwable error) {
    Spans.fail(span, error);
  }

  /** Ends the span and makes its parent current again. */
  @Override
  public void close() {
    if (scope != null) {
      scope.close();
      span.end(); // a no-op for a wrapped context or a dropped new trace
    }
  }
}
