package io.nip.monitoring;

import io.nip.event.Headers;
import io.nip.monitoring.internal.NewTraces;
import io.nip.monitoring.internal.Spans;
import io.nip.monitoring.internal.StepHandoff;
import io.nip.monitoring.internal.TraceHeaders;
import io.nip.pipeline.Op;
import io.nip.pipeline.Stream;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A pipeline step traced with one span per record (the tutorial's {@code @tracing.trace(span_name)}),
 * from {@link TracingManager#trace(String)}. The span's parent is the trace context in the record's
 * headers ({@code traceparent}, e.g. from a Kafka record), or none (a new trace, sampled by the
 * manager's sampler); inside the step it is the current span, so {@link TracingManager#span} opens
 * children of it. A step that throws marks its span failed (status ERROR, {@code exception} event)
 * and rethrows, so the pipeline's error policy applies as usual.
 *
 * <pre>{@code
 * Stream<Enriched> enriched = tracing.trace("process_event").map(events, event -> {
 *   tracing.span("validate_event", () -> validator.check(event));
 *   return tracing.span("enrich_event", () -> enricher.enrich(event));
 * });
 * enriched.to(tracing.propagate(kafkaSink)); // traceparent of this step's span in the record headers
 * }</pre>
 *
 * <p>{@link #map} and {@link #filter} also write the step's span context into the record's headers,
 * so later steps, the key exchange and {@link TracingManager#propagate} sinks continue the trace
 * under it. A record that arrives in a trace not sampled builds no span at all: the step runs under
 * the parent's context, its headers stay as they are, and child spans are no-ops. A record that
 * starts a new trace which the sampler drops builds none either: the sampler judges a freshly drawn
 * trace id before any span exists, and the record goes on with that trace's context, marked not
 * sampled, in its headers.
 *
 * <p>Immutable and thread-safe: one step may serve every task of a pipeline.
 */
public final class TracedStep {
  private final Tracer tracer;
  private final NewTraces newTraces;
  private final String spanName;

  TracedStep(Tracer tracer, NewTraces newTraces, String spanName) {
    this.tracer = tracer;
    this.newTraces = newTraces;
    this.spanName = spanName;
  }

  /** @return the name of the spans this step opens */
  public String spanName() {
    return spanName;
  }

  /**
   * Maps each record under a span, then writes the span's context into the record's headers.
   *
   * @param in the stream to map
   * @param fn one result per record, never null
   * @param <T> the input type
   * @param <R> the result type
   * @return the mapped stream, its records carrying this step's {@code traceparent}
   */
  public <T, R> Stream<R> map(Stream<T> in, Function<? super T, ? extends R> fn) {
    return map(in, fn, null);
  }

  /**
   * @param in the stream to map
   * @param fn one result per record, never null
   * @param op the step's operator name (also the spans' {@code nip.operator} attribute) and error
   *     policy; null for a generated name and the pipeline's policy
   * @param <T> the input type
   * @param <R> the result type
   * @return the mapped stream, its records carrying this step's {@code traceparent}
   */
  public <T, R> Stream<R> map(Stream<T> in, Function<? super T, ? extends R> fn, Op op) {
    Objects.requireNonNull(fn, "fn");
    StepHandoff handoff = new StepHandoff();
    String operator = operator(op);
    BiFunction<T, Headers, R> step = (value, headers) -> run(value, headers, fn, operator, handoff);
    Stream<R> mapped = op == null ? Objects.requireNonNull(in, "in").mapWithHeaders(step)
        : Objects.requireNonNull(in, "in").mapWithHeaders(step, op);
    return mapped.withHeaders(handoff::inject);
  }

  /**
   * Tests each record under a span; kept records carry the span's context in their headers.
   *
   * @param in the stream to filter
   * @param predicate keeps the records for which it is true
   * @param op the step's operator name and error policy, or null
   * @param <T> the record type
   * @return the kept records, carrying this step's {@code traceparent}
   */
  public <T> Stream<T> filter(Stream<T> in, Predicate<? super T> predicate, Op op) {
    Objects.requireNonNull(predicate, "predicate");
    StepHandoff handoff = new StepHandoff();
    String operator = operator(op);
    BiFunction<T, Headers, T> step = (value, headers) -> {
      run(value, headers, v -> predicate.test(v) ? v : null, operator, handoff);
      return value;
    };
    Stream<T> tested = op == null ? Objects.requireNonNull(in, "in").mapWithHeaders(step)
        : Objects.requireNonNull(in, "in").mapWithHeaders(step, op);
    return tested.filter(handoff::kept).withHeaders(handoff::inject);
  }

  /**
   * @param in the stream to filter
   * @param predicate keeps the records for which it is true
   * @param <T> the record type
   * @return the kept records, carrying this step's {@code traceparent}
   */
  public <T> Stream<T> filter(Stream<T> in, Predicate<? super T> predicate) {
    return filter(in, predicate, null);
  }

  /**
   * The step as a function for {@link Stream#mapWithHeaders}: a span per record, a child of the
   * context in its headers, but the record's headers are left as they are (later operators and
   * sinks continue from the record's incoming context, not from this span).
   *
   * <pre>{@code
   * stream.mapWithHeaders(tracing.trace("parse").function(Parser::parse))
   * }</pre>
   *
   * @param fn one result per record
   * @param <T> the input type
   * @param <R> the result type
   * @return the traced function
   */
  public <T, R> BiFunction<T, Headers, R> function(Function<? super T, ? extends R> fn) {
    Objects.requireNonNull(fn, "fn");
    return (value, headers) -> run(value, headers, fn, null, null);
  }

  private static String operator(Op op) {
    return op == null ? null : op.name();
  }

  /**
   * Runs {@code fn} under the record's span and leaves its result and span context in
   * {@code handoff} (when there is one): a filter's result is its input when kept, else null.
   */
  private <T, R> R run(T value, Headers headers, Function<? super T, ? extends R> fn, String operator,
      StepHandoff handoff) {
    Context parent = TraceHeaders.extract(headers);
    SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
    if (parentSpan.isValid() && !parentSpan.isSampled()) {
      try (Scope ignored = parent.makeCurrent()) {
        R result = fn.apply(value);
        hand(handoff, value, result, null); // the headers already carry the decision
        return result;
      }
    }
    if (!parentSpan.isValid()) {
      Span dropped = newTraces.begin();
      if (dropped != null) { // a new trace, not sampled: its context only, no span
        try (Scope ignored = parent.with(dropped).makeCurrent()) {
          R result = fn.apply(value);
          hand(handoff, value, result, dropped);
          return result;
        }
      }
    }
    Span span = tracer.spanBuilder(spanName).setParent(parent).startSpan();
    if (operator != null && span.isRecording()) {
      span.setAttribute(Spans.OPERATOR, operator);
    }
    try (Scope ignored = span.makeCurrent()) {
      R result = fn.apply(value);
      hand(handoff, value, result, span);
      return result;
    } catch (RuntimeException | Error e) {
      Spans.fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  private static void hand(StepHandoff handoff, Object value, Object result, Span span) {
    if (handoff != null) {
      // a filter's step returns its input when kept and null when not; a map's result goes on
      boolean isFilterDrop = result == null;
      handoff.put(isFilterDrop ? value : result, span, !isFilterDrop);
    }
  }
}
