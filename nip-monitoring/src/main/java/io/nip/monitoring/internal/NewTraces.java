package io.nip.monitoring.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.IdGenerator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starts new traces (records whose headers carry no trace context) so that the ones the sampler
 * drops cost no span: the trace id is drawn first, judged, and only a sampled trace goes through
 * the SDK's span builder, which is handed the same id (this class is the tracer provider's
 * {@link IdGenerator}), so that the SDK's own sampler reaches the same decision and the exported
 * span carries the id that was judged. A dropped trace gets a {@link DroppedTrace}: its context,
 * and the {@code traceparent} (flag {@code 00}) that tells later steps and other services not to
 * sample it either.
 *
 * <p>Why: at a 1 % sampling rate the SDK would build 99 spans that are never recorded for every
 * one that is, each with a round trip of its ids through hex strings.
 *
 * <p>The rule is the SDK's: always on, always off, or trace-id ratio, which samples a trace when
 * {@code |low 64 bits of its id| < bound} with {@code bound = (long) (rate * Long.MAX_VALUE)}
 * (exactly {@code Long.MIN_VALUE} for 0 and {@code Long.MAX_VALUE} for 1), as
 * {@code Sampler.traceIdRatioBased} does; TracingSamplingTest holds the two to the same decisions.
 * Ids are drawn as the SDK's random generator draws them (random high half, non-zero low half).
 *
 * <p>Invariants: an id handed over by {@link #begin} is taken by the very next root span the same
 * thread starts (had that start not come, the next root span of the thread would take it: a random
 * id all the same, judged by the same rule). Threading: the handed-over id lives in a per-thread
 * slot; everything else is immutable.
 */
public final class NewTraces implements IdGenerator {
  private static final IdGenerator RANDOM = IdGenerator.random();

  private final long bound;
  /**
   * The parent span id the contexts of dropped traces carry: one per manager, because that span is
   * never recorded and a span id only has to be unique within its trace (each dropped trace has an
   * id of its own), so a reader that samples such a trace anyway still gets distinct parents.
   */
  private final String droppedSpanId = RANDOM.generateSpanId();
  private final byte[] droppedSpanIdHex = droppedSpanId.getBytes(StandardCharsets.US_ASCII);
  private final ThreadLocal<String[]> handedOver = ThreadLocal.withInitial(() -> new String[1]);

  private NewTraces(long bound) {
    this.bound = bound;
  }

  /** @return new traces all sampled (as the SDK's always-on sampler: no id is judged) */
  public static NewTraces alwaysOn() {
    return new NewTraces(Long.MAX_VALUE);
  }

  /** @return new traces all dropped */
  public static NewTraces alwaysOff() {
    return new NewTraces(Long.MIN_VALUE);
  }

  /**
   * @param rate the fraction of new traces sampled, within [0, 1]
   * @return new traces sampled by trace-id ratio, as {@code Sampler.traceIdRatioBased(rate)}
   */
  public static NewTraces ratio(double rate) {
    // at rate 1 the SDK's bound is Long.MAX_VALUE too, which drops the two ids whose low half is
    // +-Long.MAX_VALUE; sampling them all instead differs from it once in 2^63 traces
    return new NewTraces(rate <= 0.0 ? Long.MIN_VALUE : rate >= 1.0 ? Long.MAX_VALUE : (long) (rate * Long.MAX_VALUE));
  }

  /**
   * Draws a new trace id and judges it.
   *
   * @return the non-recording current span of the new trace when it is dropped; null when it is
   *     sampled: the next root span this thread starts gets its id
   */
  public Span begin() {
    if (bound == Long.MAX_VALUE) {
      return null; // always on: the SDK draws the id itself
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = random.nextLong();
    long low;
    do {
      low = random.nextLong();
    } while (low == 0);
    if (Math.abs(low) < bound) {
      handedOver.get()[0] = DroppedTrace.traceId(high, low);
      return null;
    }
    return new DroppedTrace(high, low, droppedSpanId, droppedSpanIdHex);
  }

  @Override
  public String generateTraceId() {
    String[] slot = handedOver.get();
    String id = slot[0];
    if (id == null) {
      return RANDOM.generateTraceId();
    }
    slot[0] = null;
    return id;
  }

  @Override
  public String generateSpanId() {
    return RANDOM.generateSpanId();
  }

  /** @return true: every trace id is random, so the SDK sets W3C's random-trace-id flag as it does with its own */
  @Override
  public boolean generatesRandomTraceIds() {
    return true;
  }
}
