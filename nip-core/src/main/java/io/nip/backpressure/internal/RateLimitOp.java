package io.nip.backpressure.internal;

import io.nip.backpressure.RateLimiter;
import io.nip.event.Headers;
import io.nip.runtime.internal.Gate;
import io.nip.runtime.internal.Operator;
import io.nip.source.SourcePosition;
import java.util.ArrayDeque;

/**
 * {@code stream.rateLimit(limiter)}: passes a record when the limiter gives a token, else holds it
 * (with its envelope) until the task releases it on a later round.
 *
 * <p>Design: the limiter's bucket is shared by every task of the operator (one rate for the
 * operator as a whole). Holding instead of waiting is what keeps worker threads free: as a
 * {@link Gate} this operator makes its task stop feeding input while it holds anything, so it
 * holds at most what one input record produced upstream of it (one record, or a flatMap's or a
 * window firing's results). Order is kept: once something is held, every later record queues
 * behind it even if a token came meanwhile. Watermarks that arrive while records are held wait
 * behind them (a held record must not become late downstream). The runtime sends a barrier only
 * when nothing is held; at {@code finish} (end of input or stop) held records pass at once.
 *
 * <p>Threading: the task's thread only; the bucket is thread-safe.
 */
public final class RateLimitOp extends Operator implements Gate {
  private final RateLimiter limiter;
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private long heldWatermark = Long.MIN_VALUE;
  /** Whether this task is counted among the limiter's waiters (it held something since its last look). */
  private boolean waiting;

  /** @param limiter the shared limiter */
  public RateLimitOp(RateLimiter limiter) {
    this.limiter = limiter;
  }

  private record Held(Object value, Object key, long timestamp, long position, SourcePosition positionRef,
      byte[] raw, Headers headers) {}

  @Override
  public void process(Object value) {
    if (held.isEmpty() && limiter.tryAcquire(rt.clock())) {
      out.process(value);
      return;
    }
    if (!waiting) {
      waiting = true;
      limiter.startWaiting();
    }
    held.add(new Held(value, rt.key(), rt.timestamp(), rt.position(), rt.positionRef(), rt.raw(), rt.headers()));
  }

  /** Called once per round, after the task fed its input: with nothing held, the wait is over. */
  @Override
  public boolean tick(long nowMillis) {
    if (held.isEmpty()) {
      notWaiting();
    }
    return false;
  }

  @Override
  public boolean holding() {
    return !held.isEmpty();
  }

  @Override
  public void release(long nowMillis) {
    while (!held.isEmpty() && limiter.tryAcquireWaiting(nowMillis)) {
      emit(held.poll());
    }
    forwardHeldWatermark();
  }

  private void emit(Held h) {
    rt.emitAs(out, h.key, h.timestamp, h.position, h.positionRef, h.raw, h.headers, h.value);
  }

  private void forwardHeldWatermark() {
    if (held.isEmpty() && heldWatermark != Long.MIN_VALUE) {
      long wm = heldWatermark;
      heldWatermark = Long.MIN_VALUE;
      out.watermark(wm, outPort);
    }
  }

  @Override
  public void watermark(long watermark, int port) {
    if (held.isEmpty()) {
      out.watermark(watermark, outPort);
    } else if (watermark > heldWatermark) {
      heldWatermark = watermark;
    }
  }

  @Override
  public void barrier(long checkpointId, int port) {
    passAll(); // not reached while holding (the tasks wait); kept so that nothing can be left behind
    out.barrier(checkpointId, outPort);
  }

  @Override
  public void finish(int port) {
    passAll();
    out.finish(outPort);
  }

  private void passAll() {
    while (!held.isEmpty()) {
      emit(held.poll());
    }
    notWaiting();
    forwardHeldWatermark();
  }

  /** A task stopped while holding: its records are not delivered, and it no longer waits. */
  @Override
  public void close() {
    notWaiting();
  }

  private void notWaiting() {
    if (waiting) {
      waiting = false;
      limiter.stopWaiting();
    }
  }
}
