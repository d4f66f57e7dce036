package io.nip.monitoring.internal;

import io.nip.event.Headers;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.sink.TransactionalOutput;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Instant;

/**
 * A sink that writes each record with the trace context injected into its headers: the
 * {@code TracingManager.propagate} side of trace propagation. Each write runs under a PRODUCER span
 * ({@code "<sink> publish"}) whose parent is the context the record carries (from its source or a
 * traced step); that span's context replaces the record's {@code traceparent}, so the consumer's
 * spans hang under it.
 *
 * <p>Why a wrapper: sinks read a record's headers from {@link SinkContext#currentHeaders()} during
 * {@code write}, so the wrapped sink is handed a context whose headers are swapped for the
 * duration of each write; the wrapped sink needs no change (Kafka writes them as record headers).
 * A record whose parent is valid but not sampled passes with its headers unchanged: no span, no
 * copy (they already carry the decision); a record without a context whose new trace the sampler
 * drops ({@link NewTraces}) is written with that trace's context, and no span either. Threading: one writer per task, as the runtime asks.
 */
public final class TracedSink<T> implements Sink<T> {
  private final Sink<T> sink;
  private final Tracer tracer;
  private final NewTraces newTraces;
  private final String spanName;

  /**
   * @param sink the sink that writes
   * @param tracer the manager's tracer
   * @param newTraces where records without a trace context start theirs
   */
  public TracedSink(Sink<T> sink, Tracer tracer, NewTraces newTraces) {
    this.sink = sink;
    this.tracer = tracer;
    this.newTraces = newTraces;
    this.spanName = sink.name() + " publish";
  }

  @Override
  public String name() {
    return sink.name();
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    SwappedHeaders swapped = new SwappedHeaders(context);
    SinkWriter<T> inner = sink.createWriter(swapped);
    return new SinkWriter<>() {
      @Override
      public void write(T value) {
        Headers headers = context.currentHeaders();
        Context parent = TraceHeaders.extract(headers);
        SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
        if (parentSpan.isValid() && !parentSpan.isSampled()) {
          inner.write(value);
          return;
        }
        Span dropped = parentSpan.isValid() ? null : newTraces.begin();
        if (dropped != null) { // a new trace, not sampled: written with its context, no span built
          swapped.headers = TraceHeaders.inject(headers, dropped);
          try (Scope ignored = parent.with(dropped).makeCurrent()) {
            inner.write(value);
          } finally {
            swapped.headers = null;
          }
          return;
        }
        Span span = tracer.spanBuilder(spanName).setParent(parent).setSpanKind(SpanKind.PRODUCER).startSpan();
        if (span.isRecording()) {
          span.setAttribute(Spans.PIPELINE, context.pipelineName());
          span.setAttribute(Spans.TASK, context.taskId());
          span.setAttribute(Spans.SINK, sink.name());
        }
        swapped.headers = TraceHeaders.inject(headers, span);
        try (Scope ignored = span.makeCurrent()) {
          inner.write(value);
        } catch (RuntimeException | Error e) {
          Spans.fail(span, e);
          throw e;
        } finally {
          swapped.headers = null;
          span.end();
        }
      }

      @Override
      public void flush() {
        inner.flush();
      }

      @Override
      public void commit(long checkpointId) {
        inner.commit(checkpointId);
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }

  /** The task's sink context with the current record's headers replaced during a write. */
  private static final class SwappedHeaders implements SinkContext {
    private final SinkContext context;
    Headers headers;

    SwappedHeaders(SinkContext context) {
      this.context = context;
    }

    @Override
    public String pipelineName() {
      return context.pipelineName();
    }

    @Override
    public String taskId() {
      return context.taskId();
    }

    @Override
    public Instant currentTimestamp() {
      return context.currentTimestamp();
    }

    @Override
    public Object currentKey() {
      return context.currentKey();
    }

    @Override
    public Headers currentHeaders() {
      Headers h = headers;
      return h == null ? context.currentHeaders() : h;
    }

    @Override
    public TransactionalOutput transactionalOutput() {
      return context.transactionalOutput();
    }
  }
}
