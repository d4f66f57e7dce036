package io.nip.monitoring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.event.Headers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The headers TraceHeaders writes against what OpenTelemetry's W3C propagator writes. */
class TraceHeadersTest {

  @Test
  void the_traceparent_of_a_dropped_new_trace_is_the_propagators_for_its_context() {
    // Given: 1,000 new traces all dropped
    NewTraces never = NewTraces.alwaysOff();
    for (int i = 0; i < 1_000; i++) {
      Span dropped = never.begin();
      SpanContext context = dropped.getSpanContext();

      // When: written into headers that carry an older context and another header
      Headers before = Headers.of("traceparent", "00-old".getBytes()).with("tracestate", "a=b").with("k", "v");
      Headers ours = TraceHeaders.inject(before, dropped);

      // Then: the propagator's traceparent for that context (valid, not sampled), the old context
      // gone, the other header kept, and read back to the same context
      assertThat(context.isValid()).isTrue();
      assertThat(context.isSampled()).isFalse();
      assertThat(dropped.isRecording()).isFalse();
      assertThat(ours.lastString("traceparent")).isEqualTo(propagator(context).get("traceparent"));
      assertThat(ours.values("traceparent")).hasSize(1);
      assertThat(ours.lastValue("tracestate")).isNull();
      assertThat(ours.lastString("k")).isEqualTo("v");
      assertThat(Span.fromContext(TraceHeaders.extract(ours)).getSpanContext().getTraceId())
          .isEqualTo(context.getTraceId());
    }
  }

  @Test
  void a_dropped_trace_written_as_a_deferred_header_reads_back_as_the_same_span_or_through_its_bytes() {
    // Given: a dropped new trace written into headers
    Span dropped = NewTraces.alwaysOff().begin();
    Headers ours = TraceHeaders.inject(Headers.of("k", "v".getBytes()), dropped);

    // When / Then: read back without formatting, it is the span itself
    assertThat(ours.lastDeferred("traceparent")).isSameAs(dropped);
    assertThat(Span.fromContext(TraceHeaders.extract(ours))).isSameAs(dropped);
    // and its bytes, as a sink writes them and another service reads them, give the same context
    Headers overTheWire = Headers.builder().add("k", "v").add("traceparent", ours.lastValue("traceparent")).build();
    SpanContext parsed = Span.fromContext(TraceHeaders.extract(overTheWire)).getSpanContext();
    assertThat(overTheWire.lastDeferred("traceparent")).isNull();
    assertThat(parsed.getTraceId()).isEqualTo(dropped.getSpanContext().getTraceId());
    assertThat(parsed.getSpanId()).isEqualTo(dropped.getSpanContext().getSpanId());
    assertThat(parsed.getTraceFlags()).isEqualTo(dropped.getSpanContext().getTraceFlags());
    assertThat(parsed.isRemote()).isTrue();
    // a tracestate added later is not ignored: the propagator reads the pair
    Headers withState = ours.with("tracestate", "vendor=x1");
    assertThat(Span.fromContext(TraceHeaders.extract(withState)).getSpanContext().getTraceState().get("vendor"))
        .isEqualTo("x1");
  }

  @Test
  void a_context_with_trace_state_is_written_by_the_propagator_with_both_headers() {
    // Given: a context carrying vendor state
    SpanContext span = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.builder().put("vendor", "x1").build());

    // When: it is written
    Headers headers = TraceHeaders.inject(Headers.EMPTY, Span.wrap(span));

    // Then: traceparent and tracestate as the propagator writes them, read back to the same context
    Map<String, String> expected = propagator(span);
    assertThat(headers.lastString("traceparent")).isEqualTo(expected.get("traceparent"));
    assertThat(headers.lastString("tracestate")).isEqualTo(expected.get("tracestate")).isEqualTo("vendor=x1");
    assertThat(Span.fromContext(TraceHeaders.extract(headers)).getSpanContext().getTraceState())
        .isEqualTo(span.getTraceState());
  }

  private static Map<String, String> propagator(SpanContext span) {
    Map<String, String> carrier = new HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(span)), carrier, Map::put);
    return carrier;
  }
}
