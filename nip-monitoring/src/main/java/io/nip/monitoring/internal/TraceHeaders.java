package io.nip.monitoring.internal;

import io.nip.event.Headers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.List;

/**
 * W3C trace context ({@code traceparent}, {@code tracestate}) in a record's {@link Headers}, read by
 * OpenTelemetry's {@link W3CTraceContextPropagator} through a getter over NIP's immutable headers.
 * Writing goes through the propagator too, except for the context of a new trace the sampler
 * dropped ({@link DroppedTrace}, 99 records in 100 at a 1 % rate): its {@code traceparent} is a
 * deferred header value, formatted straight from its ids only when a sink or reader asks for the
 * bytes, and read back by {@link #extract} as the span itself, without formatting or parsing
 * (TraceHeadersTest holds both paths to the propagator's output).
 *
 * <p>Invariants: a record without headers is not parsed at all ({@link Context#root()}); injecting
 * replaces any earlier {@code traceparent}/{@code tracestate} (the last value of a repeated header
 * would win anyway, as Kafka's {@code lastHeader}), so a record carries one context, the latest.
 * Stateless and thread-safe.
 */
public final class TraceHeaders {
  /** The W3C header names. */
  public static final String TRACEPARENT = "traceparent";
  /** The W3C header holding vendor state. */
  public static final String TRACESTATE = "tracestate";

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers carrier) {
      List<String> names = new ArrayList<>(carrier.size());
      for (int i = 0; i < carrier.size(); i++) {
        names.add(carrier.name(i));
      }
      return names;
    }

    @Override
    public String get(Headers carrier, String key) {
      return carrier == null ? null : carrier.lastString(key);
    }
  };

  private static final TextMapSetter<Headers[]> SETTER = (box, key, value) -> box[0] = box[0].with(key, value);

  private TraceHeaders() {}

  /**
   * @param headers a record's headers, not null
   * @return the context they carry, or {@link Context#root()} when they carry none or a malformed one
   */
  public static Context extract(Headers headers) {
    if (headers.isEmpty()) {
      return Context.root();
    }
    if (headers.lastDeferred(TRACEPARENT) instanceof DroppedTrace dropped
        && headers.lastString(TRACESTATE) == null) {
      // written by inject below: the same trace and span ids and flags as the propagator would read
      // (not marked remote; the samplers NIP builds treat a not-sampled parent alike either way)
      return Context.root().with(dropped);
    }
    return W3C.extract(Context.root(), headers, GETTER);
  }

  /**
   * @param headers a record's headers, not null
   * @param current the span whose context to carry on; nothing is written when invalid
   * @return the headers without their earlier trace context, followed by {@code current}'s
   */
  public static Headers inject(Headers headers, Span current) {
    if (current instanceof DroppedTrace dropped) {
      return headers.without(TRACEPARENT).without(TRACESTATE).withDeferred(TRACEPARENT, dropped);
    }
    return inject(headers, current.getSpanContext());
  }

  /**
   * @param headers a record's headers, not null
   * @param span the span context to carry on; nothing is written when invalid
   * @return the headers without their earlier trace context, followed by {@code span}'s
   */
  public static Headers inject(Headers headers, SpanContext span) {
    if (!span.isValid()) {
      return headers;
    }
    Headers[] box = {headers.without(TRACEPARENT).without(TRACESTATE)};
    W3C.inject(Context.root().with(Span.wrap(span)), box, SETTER);
    return box[0];
  }
}
