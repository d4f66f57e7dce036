package io.nip.monitoring.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The current span of a record whose new trace the sampler dropped ({@link NewTraces#begin}): a
 * non-recording span, like the SDK's for a dropped trace, that holds its trace id as two longs and
 * builds the {@link SpanContext} (hex strings, validated) only when someone asks for it.
 *
 * <p>Why: a traced step runs every record under its trace's context and writes that trace's
 * {@code traceparent}; with 1 % sampling, 99 records in 100 take this path, and the hex round trips
 * of the SDK's context (format, parse back for the sampler, validate) were most of its cost. Here
 * the {@code traceparent} bytes come straight from the longs ({@link #traceparent()}), and only
 * when something reads the header: the span itself is the header's deferred value
 * ({@link io.nip.event.Headers#withDeferred}, {@link #get()}), and a later traced step reads it back
 * as a span without parsing. The context object exists only for code that reads it (a child span's no-op check, {@code inject}, an
 * application's own {@code Span.current()}).
 *
 * <p>Invariants: never recording, never sampled; the lazily built context equals what the
 * {@code traceparent} says. Threading: built on the task's thread; read there and, as a header
 * value crossing the key exchange with its record, on the thread of the task it goes to. The lazy
 * field may be built twice by racing readers, harmlessly: equal values, and {@link SpanContext}
 * publishes safely (final fields).
 */
final class DroppedTrace implements Span, Supplier<byte[]> {
  /** The two lowercase hex digits of each byte value, at {@code 2 * value} and {@code 2 * value + 1}. */
  private static final byte[] HEX_PAIRS = new byte[512];

  static {
    byte[] digits = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 256; i++) {
      HEX_PAIRS[2 * i] = digits[i >>> 4];
      HEX_PAIRS[2 * i + 1] = digits[i & 0xf];
    }
  }

  /** Not sampled, trace id random (W3C trace context level 2). */
  private static final TraceFlags FLAGS = TraceFlags.builder().setRandomTraceId(true).build();

  private final long traceIdHigh;
  private final long traceIdLow;
  private final byte[] parentSpanIdHex;
  private final String parentSpanId;
  private SpanContext context;

  DroppedTrace(long traceIdHigh, long traceIdLow, String parentSpanId, byte[] parentSpanIdHex) {
    this.traceIdHigh = traceIdHigh;
    this.traceIdLow = traceIdLow;
    this.parentSpanId = parentSpanId;
    this.parentSpanIdHex = parentSpanIdHex;
  }

  /**
   * @return {@code 00-<trace id>-<span id>-02} as ASCII bytes: W3C version 00, not sampled, trace id
   *     random (the flags the SDK gives a dropped trace of its random generator)
   */
  byte[] traceparent() {
    byte[] b = new byte[55];
    b[0] = '0';
    b[1] = '0';
    b[2] = '-';
    hex(traceIdHigh, b, 3);
    hex(traceIdLow, b, 19);
    b[35] = '-';
    System.arraycopy(parentSpanIdHex, 0, b, 36, 16);
    b[52] = '-';
    b[53] = '0';
    b[54] = '2';
    return b;
  }

  /** @return {@link #traceparent()}: the bytes of this trace's {@code traceparent} header */
  @Override
  public byte[] get() {
    return traceparent();
  }

  /** @return the trace id of those two halves in lowercase hex, as the SDK writes it */
  static String traceId(long high, long low) {
    byte[] id = new byte[32];
    hex(high, id, 0);
    hex(low, id, 16);
    return new String(id, StandardCharsets.US_ASCII);
  }

  private static void hex(long v, byte[] into, int at) {
    for (int i = 14; i >= 0; i -= 2) { // a byte at a time: two hex digits per lookup
      int pair = ((int) v & 0xff) << 1;
      into[at + i] = HEX_PAIRS[pair];
      into[at + i + 1] = HEX_PAIRS[pair + 1];
      v >>>= 8;
    }
  }

  @Override
  public SpanContext getSpanContext() {
    SpanContext c = context;
    if (c == null) {
      c = SpanContext.create(traceId(traceIdHigh, traceIdLow), parentSpanId, FLAGS, TraceState.getDefault());
      context = c;
    }
    return c;
  }

  @Override
  public boolean isRecording() {
    return false;
  }

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes) {
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    return this;
  }

  @Override
  public Span recordException(Throwable exception, Attributes additionalAttributes) {
    return this;
  }

  @Override
  public Span updateName(String name) {
    return this;
  }

  @Override
  public void end() {}

  @Override
  public void end(long timestamp, TimeUnit unit) {}

  @Override
  public String toString() {
    return "DroppedTrace{" + getSpanContext() + "}";
  }
}
