package io.nip.runtime.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The bounded, multi-producer single-consumer queue of batches in front of a keyed task. When it is
 * full, producers keep their batches and stop reading their sources: backpressure travels up to
 * the source (for Kafka: the partitions pause) instead of growing memory.
 *
 * <p>Credits, as in credit-based flow control: each input channel has {@link #EXCLUSIVE} places of
 * its own, and the {@code capacity} places beyond them are shared (floating), taken by whichever
 * producer offers first. A channel whose own places are free can always hand over a batch, so a
 * slow or late input (a table's topic read beside a busy event topic) is never starved by channels
 * that happen to offer first each time a place frees; without its own places, such a channel could
 * wait until the busy ones ran dry, and everything waiting on its watermark with it.
 *
 * <p>While the keyed task aligns a checkpoint barrier it holds the batches of the channels that
 * already delivered it; once a channel's held batches reach a bound, the task pauses that channel
 * here, and its producer keeps further batches (and stops reading) until the barrier aligned.
 *
 * <p>Watermark alignment (when configured): the task also pauses a channel whose watermark ran too far
 * ahead of its slowest input ({@link #align}). Those pauses are kept apart from the barrier ones and
 * are lifted for a channel's batches up to its barrier while a checkpoint is requested that the
 * task has not aligned yet ({@link #awaitedCheckpoint}, applied by the producer): a channel held
 * back for its watermark must still deliver its barrier, or the checkpoint, and every channel it
 * holds back, would wait on it.
 *
 * <p>Threading: one producer per channel (its upstream task, run by one thread at a time), one
 * consumer (the keyed task). A channel's own count is raised only by its producer and lowered only
 * by the consumer, so it never exceeds {@link #EXCLUSIVE}; the shared count is taken by
 * compare-and-set, so it never exceeds the shared places; each batch remembers which kind of place
 * it took, and {@link #poll} gives that one back.
 */
public final class Inbox {
  /** Places of its own per input channel. */
  static final int EXCLUSIVE = 2;
  private final int shared;
  private volatile ArrayBlockingQueue<Batch> queue;
  volatile Runnable wakeUp;
  /** Per input channel, 1 while paused; created by the consuming task, which knows its channels. */
  private volatile AtomicIntegerArray paused;
  /** Per input channel, 1 while held back by watermark alignment. */
  private volatile AtomicIntegerArray alignPaused;
  /** The newest checkpoint requested, or null without checkpoints. */
  private volatile java.util.function.LongSupplier requested;
  /** The newest checkpoint whose barrier the consuming task aligned. */
  private volatile long barrierAligned;
  /** Per input channel, the batches in the queue that hold one of its own places. */
  private volatile AtomicIntegerArray own;
  private final AtomicInteger sharedUsed = new AtomicInteger();

  /** @param capacity shared places, beyond each channel's own */
  public Inbox(int capacity) {
    this.shared = capacity;
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /**
   * Called by the consuming task while the plan is built, before any batch is offered.
   *
   * @throws IllegalStateException when batches were offered already
   */
  void channels(int n) {
    if (!queue.isEmpty() || sharedUsed.get() != 0) {
      throw new IllegalStateException("an inbox's channels are set before any batch is offered");
    }
    alignPaused = new AtomicIntegerArray(n);
    paused = new AtomicIntegerArray(n);
    own = new AtomicIntegerArray(n);
    queue = new ArrayBlockingQueue<>(shared + EXCLUSIVE * n);
  }

  void pause(int channel) {
    paused.set(channel, 1);
  }

  void resume(int channel) {
    paused.set(channel, 0);
  }

  /**
   * Holds a channel back (or lets it go) for watermark alignment.
   *
   * @param channel the channel
   * @param pause true to hold it back
   */
  void align(int channel, boolean pause) {
    alignPaused.set(channel, pause ? 1 : 0);
  }

  /**
   * Called by the consuming task once, before it runs, when it takes checkpoints.
   *
   * @param newestRequested the newest checkpoint requested
   * @param aligned the newest checkpoint whose barrier the task has aligned so far
   */
  void checkpoints(java.util.function.LongSupplier newestRequested, long aligned) {
    this.barrierAligned = aligned;
    this.requested = newestRequested;
  }

  /** @param checkpointId the newest checkpoint whose barrier the consuming task aligned */
  void aligned(long checkpointId) {
    barrierAligned = checkpointId;
  }

  /** @return true while the consumer holds back batches of this channel for a barrier it aligns */
  boolean isPaused(int channel) {
    AtomicIntegerArray p = paused;
    return p != null && channel < p.length() && p.get(channel) == 1;
  }

  /** @return true while watermark alignment holds this channel back */
  boolean isAlignPaused(int channel) {
    AtomicIntegerArray a = alignPaused;
    return a != null && channel < a.length() && a.get(channel) == 1;
  }

  /**
   * @return the newest checkpoint requested when the consuming task has not aligned its barrier
   *     yet, else 0: a channel held back for its watermark then hands over its batches up to and
   *     including that barrier
   */
  long awaitedCheckpoint() {
    java.util.function.LongSupplier r = requested;
    if (r == null) {
      return 0;
    }
    long id = r.getAsLong();
    return id > barrierAligned ? id : 0;
  }

  /**
   * @param batch a batch of its channel's producer
   * @return false when the channel has no place of its own left and the shared ones are taken:
   *     the producer keeps the batch and offers it again later
   */
  boolean offer(Batch batch) {
    AtomicIntegerArray o = own;
    int c = batch.channel;
    if (o != null && c < o.length() && o.get(c) < EXCLUSIVE) {
      o.incrementAndGet(c);
      batch.shared = false;
    } else if (takeShared()) {
      batch.shared = true;
    } else {
      return false;
    }
    queue.add(batch); // always room: the places are counted above
    Runnable w = wakeUp;
    if (w != null) {
      w.run();
    }
    return true;
  }

  private boolean takeShared() {
    while (true) {
      int used = sharedUsed.get();
      if (used >= shared) {
        return false;
      }
      if (sharedUsed.compareAndSet(used, used + 1)) {
        return true;
      }
    }
  }

  Batch poll() {
    Batch b = queue.poll();
    if (b != null) {
      if (b.shared) {
        sharedUsed.decrementAndGet();
      } else {
        own.decrementAndGet(b.channel);
      }
    }
    return b;
  }

  int size() {
    return queue.size();
  }

  int capacity() {
    return queue.size() + queue.remainingCapacity();
  }
}
