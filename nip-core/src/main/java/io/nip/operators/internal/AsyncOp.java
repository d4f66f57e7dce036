package io.nip.operators.internal;

import io.nip.runtime.internal.AsyncCapable;
import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Operator;
import io.nip.errors.NipException;
import io.nip.event.Headers;
import io.nip.source.SourcePosition;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code mapAsync}: starts a call per record and emits results on the task thread, never on the
 * thread that completes the future, so downstream operators stay single-threaded.
 *
 * <p>Invariants: at most {@code maxInFlight} records are started and not yet emitted; when the
 * limit is reached the task thread waits for a completion (backpressure to the source). Watermarks
 * and barriers enter the same queue as records and leave only after every record before them:
 * in ordered mode everything leaves in input order; in unordered mode records between two
 * watermarks leave as they complete. Completions wake the task through a semaphore.
 */
public final class AsyncOp extends Operator implements AsyncCapable {
  private static final Object WATERMARK = new Object();

  private final Function<Object, CompletionStage<?>> fn;
  private final int maxInFlight;
  private final boolean ordered;
  private final Guard guard;
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private final Semaphore completions = new Semaphore(0);
  private int inFlight;

  private static final class Entry {
    final Object kind;
    final Object value;
    final Object key;
    final long timestamp;
    final CompletableFuture<?> future;
    final long position;
    final SourcePosition positionRef;
    final byte[] raw;
    final Headers headers;

    Entry(Object kind, Object value, Object key, long timestamp, CompletableFuture<?> future, long position,
        SourcePosition positionRef, byte[] raw, Headers headers) {
      this.kind = kind;
      this.value = value;
      this.key = key;
      this.timestamp = timestamp;
      this.future = future;
      this.position = position;
      this.positionRef = positionRef;
      this.raw = raw;
      this.headers = headers;
    }
  }

  public AsyncOp(Function<Object, CompletionStage<?>> fn, int maxInFlight, boolean ordered, Guard guard) {
    this.fn = fn;
    this.maxInFlight = maxInFlight;
    this.ordered = ordered;
    this.guard = guard;
  }

  @Override
  public void process(Object value) {
    while (inFlight >= maxInFlight) {
      awaitCompletion();
      drain();
    }
    CompletableFuture<?> f;
    try {
      CompletionStage<?> stage = fn.apply(value);
      if (stage == null) {
        throw new NipException("mapAsync function returned null instead of a CompletionStage");
      }
      f = stage.toCompletableFuture();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((r, e) -> completions.release());
    queue.add(new Entry(null, value, rt.key(), rt.timestamp(), f, rt.position(), rt.positionRef(), rt.raw(),
        rt.headers()));
    inFlight++;
    drain();
  }

  @Override
  public void watermark(long watermark, int port) {
    if (queue.isEmpty()) {
      out.watermark(watermark, outPort);
    } else {
      queue.add(new Entry(WATERMARK, null, null, watermark, null, -1, null, null, null));
    }
  }

  @Override
  public void barrier(long checkpointId, int port) {
    drainAll();
    out.barrier(checkpointId, outPort);
  }

  @Override
  public void finish(int port) {
    drainAll();
    out.finish(outPort);
  }

  @Override
  public boolean tick(long nowMillis) {
    return drain();
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  private void drainAll() {
    drain();
    while (!queue.isEmpty()) {
      awaitCompletion();
      drain();
    }
  }

  /** Waits up to 10 ms for some call to complete; also used by the test driver to settle. */
  @Override
  public void awaitCompletion() {
    try {
      if (!completions.tryAcquire(10, TimeUnit.MILLISECONDS)) {
        return;
      }
      completions.drainPermits();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NipException("interrupted while waiting for mapAsync results", e);
    }
  }

  /** Emits what may leave now. @return true when anything left */
  private boolean drain() {
    boolean emitted = false;
    while (!queue.isEmpty()) {
      Entry head = queue.peek();
      if (head.kind == WATERMARK) {
        queue.poll();
        out.watermark(head.timestamp, outPort);
        emitted = true;
      } else if (head.future.isDone()) {
        queue.poll();
        emit(head);
        emitted = true;
      } else if (ordered) {
        return emitted;
      } else {
        return emitDoneBeforeNextWatermark() || emitted;
      }
    }
    return emitted;
  }

  private boolean emitDoneBeforeNextWatermark() {
    boolean emitted = false;
    for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.kind == WATERMARK) {
        break;
      }
      if (e.future.isDone()) {
        it.remove();
        emit(e);
        emitted = true;
      }
    }
    return emitted;
  }

  private void emit(Entry e) {
    inFlight--;
    Object result;
    try {
      result = e.future.join();
      if (result == null) {
        throw new NipException("mapAsync future completed with null");
      }
    } catch (RuntimeException failure) {
      Throwable cause = failure.getCause() != null && failure instanceof java.util.concurrent.CompletionException
          ? failure.getCause() : failure;
      result = rt.callAs(e.key, e.timestamp, e.position, e.positionRef, e.raw, e.headers,
          () -> guard.recover(e.value, cause, v -> fn.apply(v).toCompletableFuture().join()));
      if (result == Guard.DROPPED) {
        return;
      }
    }
    rt.emitAs(out, e.key, e.timestamp, e.position, e.positionRef, e.raw, e.headers, result);
  }
}
