package io.nip.monitoring.internal;

import io.nip.event.Headers;
import io.opentelemetry.api.trace.Span;

/**
 * Carries a traced step's span context from the operator that ran the step to the operator right
 * after it, which writes it into the record's headers ({@code traceparent}) for later operators,
 * the key exchange and sinks.
 *
 * <p>Why a per-thread slot: the step's function ({@code Stream.mapWithHeaders}) cannot replace
 * headers, and {@code Stream.withHeaders} cannot replace the value, so a traced step is the two
 * operators in a row. They are built together, with nothing between them, so they sit in one
 * fused chain: the second runs on the same thread, for the same record, before the first returns
 * (operators push downstream synchronously). The slot is matched by the value's identity as a
 * guard, and reused, so a record allocates nothing here.
 *
 * <p>Threading: one slot per thread per step ({@link ThreadLocal}); tasks never share one.
 */
public final class StepHandoff {
  private static final class Slot {
    Object value;
    Span span;
    boolean kept;
  }

  private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);

  /**
   * @param value the step's result (for a filter, its input)
   * @param span the step's span; null when the record's headers already say it all
   * @param kept for a filter, whether the record passes
   */
  public void put(Object value, Span span, boolean kept) {
    Slot s = slots.get();
    s.value = value;
    s.span = span;
    s.kept = kept;
  }

  /**
   * @param value the record reaching the operator after the step
   * @param headers its headers
   * @return its headers carrying the step's span context, or unchanged when the step left none
   */
  public Headers inject(Object value, Headers headers) {
    Slot s = slots.get();
    if (s.value != value || s.span == null) {
      return headers;
    }
    Span span = s.span;
    s.span = null;
    return TraceHeaders.inject(headers, span);
  }

  /**
   * @param value the record reaching the filter after the step
   * @return whether the traced predicate kept it
   */
  public boolean kept(Object value) {
    Slot s = slots.get();
    boolean keep = s.value == value && s.kept;
    s.value = null;
    return keep;
  }
}
