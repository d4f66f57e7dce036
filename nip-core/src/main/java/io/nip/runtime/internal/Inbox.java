package io.nip.runtime.internal;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * The bounded, multi-producer single-consumer queue of batches in front of a keyed task. When it is
 * full, producers keep their batches and stop reading their sources: backpressure travels up to
 * the source (for Kafka: the partitions pause) instead of growing memory.
 *
 * <p>While the keyed task aligns a checkpoint barrier it holds the batches of the channels that
 * already delivered it; once a channel's held batches reach a bound, the task pauses that channel
 * here, and its producer keeps further batches (and stops reading) until the barrier aligned.
 */
public final class Inbox {
  private final ArrayBlockingQueue<Batch> queue;
  volatile Runnable wakeUp;
  /** Per input channel, 1 while paused; created by the consuming task, which knows its channels. */
  private volatile java.util.concurrent.atomic.AtomicIntegerArray paused;

  public Inbox(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  void channels(int n) {
    paused = new java.util.concurrent.atomic.AtomicIntegerArray(n);
  }

  void pause(int channel) {
    paused.set(channel, 1);
  }

  void resume(int channel) {
    paused.set(channel, 0);
  }

  /** @return true while the consumer holds back batches of this channel */
  boolean isPaused(int channel) {
    java.util.concurrent.atomic.AtomicIntegerArray p = paused;
    return p != null && channel < p.length() && p.get(channel) == 1;
  }

  boolean offer(Batch batch) {
    if (!queue.offer(batch)) {
      return false;
    }
    Runnable w = wakeUp;
    if (w != null) {
      w.run();
    }
    return true;
  }

  Batch poll() {
    return queue.poll();
  }

  int size() {
    return queue.size();
  }

  int capacity() {
    return queue.size() + queue.remainingCapacity();
  }
}
