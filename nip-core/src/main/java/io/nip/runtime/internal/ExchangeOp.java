package io.nip.runtime.internal;

import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * The upstream end of a key exchange: hashes each record's key to the keyed task that owns it and
 * collects records into one batch per target. Batches are sealed when full or when a control signal
 * (watermark, barrier, idle status, end) is broadcast, and offered to the targets' inboxes when the
 * task finishes a round. A batch that does not fit stays pending and the task reads nothing new
 * until it fits (see {@link Inbox}). Each record's headers and position travel in the batch with
 * it; its raw source bytes do not.
 */
public final class ExchangeOp extends Operator {
  private final Function<Object, Object> keyFn;
  private final Guard guard;
  private final Inbox[] targets;
  private final int channel;
  private final int input;
  private final int batchCapacity;
  private final Batch[] current;
  private final ArrayDeque<Batch>[] pending;
  private int pendingCount;
  /** Per target, pending batches that carry a barrier. */
  private final int[] pendingBarriers;
  /** The newest checkpoint whose barrier was sealed for every target. */
  private long lastBarrier;

  @SuppressWarnings("unchecked")
  public ExchangeOp(Function<Object, Object> keyFn, Guard guard, Inbox[] targets, int channel, int input, int batchCapacity) {
    this.keyFn = keyFn;
    this.guard = guard;
    this.targets = targets;
    this.channel = channel;
    this.input = input;
    this.batchCapacity = batchCapacity;
    this.current = new Batch[targets.length];
    this.pending = new ArrayDeque[targets.length];
    this.pendingBarriers = new int[targets.length];
    for (int i = 0; i < targets.length; i++) {
      pending[i] = new ArrayDeque<>();
    }
  }

  static int targetOf(Object key, int n) {
    int h = key.hashCode();
    h ^= (h >>> 16);
    h *= 0x85ebca6b;
    h ^= (h >>> 13);
    return (h & Integer.MAX_VALUE) % n;
  }

  @Override
  public void process(Object value) {
    Object key = guard.keyOf(keyFn, value, "keyBy");
    if (key == Guard.DROPPED) {
      return;
    }
    int t = targetOf(key, targets.length);
    Batch b = current[t];
    if (b == null) {
      b = current[t] = new Batch(channel, input, batchCapacity);
      b.ingestMillis = rt.ingestMillis;
    }
    if (b.add(key, value, rt.timestamp, rt.position, rt.positionRef, rt.headers)) {
      seal(t);
    }
  }

  @Override
  public void watermark(long watermark, int port) {
    if (watermark == Long.MAX_VALUE) {
      // the end of time only ever precedes the end of input: travel in the same batch as the end
      for (int t = 0; t < targets.length; t++) {
        batchFor(t).watermark = watermark;
      }
      return;
    }
    for (int t = 0; t < targets.length; t++) {
      batchFor(t).watermark = watermark;
      seal(t);
    }
  }

  @Override
  public void barrier(long checkpointId, int port) {
    lastBarrier = Math.max(lastBarrier, checkpointId);
    for (int t = 0; t < targets.length; t++) {
      batchFor(t).barrier = checkpointId;
      seal(t);
    }
  }

  @Override
  public void finish(int port) {
    for (int t = 0; t < targets.length; t++) {
      batchFor(t).end = true;
      seal(t);
    }
  }

  void status(boolean idle) {
    for (int t = 0; t < targets.length; t++) {
      batchFor(t).status = idle ? Batch.STATUS_IDLE : Batch.STATUS_ACTIVE;
      seal(t);
    }
  }

  private Batch batchFor(int t) {
    Batch b = current[t];
    if (b == null) {
      b = current[t] = new Batch(channel, input, 0);
      // a control-only batch (a watermark that fires windows downstream): the source round that
      // sent it is the input of what it makes the receiving task emit
      b.ingestMillis = rt.ingestMillis;
    }
    return b;
  }

  private void seal(int t) {
    Batch b = current[t];
    if (b != null) {
      current[t] = null;
      pending[t].add(b);
      pendingCount++;
      if (b.barrier > 0) {
        pendingBarriers[t]++;
      }
    }
  }

  /**
   * Seals partly filled batches and offers every pending batch in order.
   *
   * @return true when nothing is left pending
   */
  boolean flush() {
    for (int t = 0; t < targets.length; t++) {
      if (current[t] != null && current[t].size > 0) {
        seal(t);
      }
      ArrayDeque<Batch> q = pending[t];
      while (!q.isEmpty() && mayOffer(t) && targets[t].offer(q.peek())) {
        if (q.poll().barrier > 0) {
          pendingBarriers[t]--;
        }
        pendingCount--;
      }
    }
    return pendingCount == 0;
  }

  /**
   * @return false while the target holds this channel back: for a barrier it aligns, or for
   *     watermark alignment — except once the pipeline is stopping, and, while the target awaits a
   *     checkpoint's barrier, for the batches up to and including this channel's barrier (and all
   *     of them until the barrier was sent, so that the task reads on to it)
   */
  private boolean mayOffer(int t) {
    Inbox target = targets[t];
    if (target.isPaused(channel)) {
      return false;
    }
    if (!target.isAlignPaused(channel) || rt.stopping) {
      return true;
    }
    long awaited = target.awaitedCheckpoint();
    return awaited > 0 && (lastBarrier < awaited || pendingBarriers[t] > 0);
  }

  boolean hasPending() {
    return pendingCount > 0;
  }
}
