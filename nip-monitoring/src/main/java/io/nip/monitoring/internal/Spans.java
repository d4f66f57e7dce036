package io.nip.monitoring.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * The attribute keys NIP's spans carry and the one way a failure is recorded on a span (status
 * ERROR with the exception's message, plus OpenTelemetry's {@code exception} event with type,
 * message and stack trace). Constants only; thread-safe.
 */
public final class Spans {
  /** The pipeline's name. */
  public static final AttributeKey<String> PIPELINE = AttributeKey.stringKey("nip.pipeline");
  /** The operator's name. */
  public static final AttributeKey<String> OPERATOR = AttributeKey.stringKey("nip.operator");
  /** The writing task's id. */
  public static final AttributeKey<String> TASK = AttributeKey.stringKey("nip.task");
  /** The sink's name. */
  public static final AttributeKey<String> SINK = AttributeKey.stringKey("nip.sink");
  private Spans() {}

  /**
   * @param span the span the failure happened under
   * @param error the failure, rethrown by the caller
   */
  public static void fail(Span span, Throwable error) {
    if (span.isRecording()) {
      span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName() + ": " + error.getMessage());
      span.recordException(error);
    }
  }
}
