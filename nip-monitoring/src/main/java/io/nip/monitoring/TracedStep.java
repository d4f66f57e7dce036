package io.nip.monitoring;

import io.nip.event.Headers;
import io.nip.monitoring.internal.NewTraces;
import io.nip.monitoring.internal.Spans;
import io.nip.monitoring.internal.TraceHeaders;
import io.nip.errors.NipException;
import io.nip.pipeline.Op;
import io.nip.pipeline.RecordContext;
import io.nip.pipeline.RecordProcessor;
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
    String operator = operator(op);
    Function<T, R> nonNull = value -> {
      R result = fn.apply(value);
      if (result == null) { // inside the span, so the span shows the failure
        throw new NipException("traced map returned null; use filter to drop records");
      }
      return result;
    };
    RecordProcessor<T, R> step = (value, ctx) -> run(value, ctx.headers(), nonNull, operator, ctx);
    return process(in, step, op);
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
    String operator = operator(op);
    Function<T, T> keptOrNull = v -> predicate.test(v) ? v : null;
    RecordProcessor<T, T> step = (value, ctx) -> run(value, ctx.headers(), keptOrNull, operator, ctx);
    return process(in, step, op);
  }

  private static <T, R> Stream<R> process(Stream<T> in, RecordProcessor<T, R> step, Op op) {
    Objects.requireNonNull(in, "in");
    return op == null ? in.process(step) : in.process(step, op);
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
   * Runs {@code fn} under the record's span and, when {@code out} is given, emits a non-null result
   * with the headers carrying the span's context (a filter's {@code fn} returns its input when
   * kept, else null). The emit is held by {@code out} until the step's call returns, so nothing
   * downstream runs inside the span.
   */
  private <T, R> R run(T value, Headers headers, Function<? super T, ? extends R> fn, String operator,
      RecordContext<R> out) {
    Context parent = TraceHeaders.extract(headers);
    SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
    if (parentSpan.isValid() && !parentSpan.isSampled()) {
      try (Scope ignored = parent.makeCurrent()) {
        R result = fn.apply(value);
        if (out != null && result != null) {
          out.emit(result); // the headers already carry the decision
        }
        return result;
      }
    }
    if (!parentSpan.isValid()) {
      Span dropped = newTraces.begin();
      if (dropped != null) { // a new trace, not sampled: its context only, no span
        try (Scope ignored = parent.with(dropped).makeCurrent()) {
          R result = fn.apply(value);
          emit(out, result, headers, dropped);
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
      emit(out, result, headers, span);
      return result;
    } catch (RuntimeException | Error e) {
      Spans.fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  private static <R> void emit(RecordContext<R> out, R result, Headers headers, Span span) {
    if (out != null && result != null) {
      out.emit(result, TraceHeaders.inject(headers, span));
    }
  }
}
