package io.nip.runtime.internal;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * The bounded, multi-producer single-consumer queue of batches in front of a keyed task. When it is
 * full, producers keep their batches and stop reading their sources: backpressure travels up to
 * the source (for Kafka: the partitions pause) instead of growing memory.
 */
public final class Inbox {
  private final ArrayBlockingQueue<Batch> queue;
  volatile Runnable wakeUp;

  public Inbox(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
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
