package io.nip.runtime.internal;

import java.util.BitSet;

/**
 * Coordinates at-least-once commits. Every commit interval a checkpoint id is requested; each
 * source task records its reader position and sends a barrier downstream; every task acknowledges
 * the barrier once everything before it reached its sinks and they were flushed. When all tasks
 * acknowledged (or ended), the checkpoint is complete and source tasks commit the recorded
 * positions. One checkpoint in flight at a time. Thread-safe: tasks on any worker call in.
 */
public final class Checkpoints {
  private final int taskCount;
  private final long intervalMillis;
  private volatile long requested;
  private volatile long completed;
  private long lastTrigger;
  private final BitSet acked = new BitSet();
  private long[] pendingHold;
  private volatile long[] completedHold;
  private final long[] finalHold;
  private final BitSet ended = new BitSet();

  public Checkpoints(int taskCount, long intervalMillis, long nowMillis) {
    this.taskCount = taskCount;
    this.intervalMillis = intervalMillis;
    this.lastTrigger = nowMillis;
    this.finalHold = new long[taskCount];
    java.util.Arrays.fill(finalHold, Long.MAX_VALUE);
  }

  int taskCount() {
    return taskCount;
  }

  /**
   * @param task a source task's global index
   * @return the smallest position of that task's records still held in state at the last
   *     completed checkpoint, or {@link Long#MAX_VALUE}
   */
  long completedHold(int task) {
    long[] h = completedHold;
    return h == null ? Long.MAX_VALUE : h[task];
  }

  /** @param task a source task @return what keyed tasks still held when they ended */
  synchronized long finalHold(int task) {
    return finalHold[task];
  }

  synchronized void finalHold(long[] perTask) {
    merge(finalHold, perTask);
  }

  private static void merge(long[] into, long[] from) {
    if (from != null) {
      for (int i = 0; i < into.length; i++) {
        into[i] = Math.min(into[i], from[i]);
      }
    }
  }

  synchronized void maybeTrigger(long nowMillis) {
    if (requested == completed && nowMillis - lastTrigger >= intervalMillis) {
      lastTrigger = nowMillis;
      acked.clear();
      pendingHold = new long[taskCount];
      java.util.Arrays.fill(pendingHold, Long.MAX_VALUE);
      requested = completed + 1;
    }
  }

  long requested() {
    return requested;
  }

  long completed() {
    return completed;
  }

  synchronized void ack(int task, long checkpointId) {
    ack(task, checkpointId, null);
  }

  synchronized void ack(int task, long checkpointId, long[] heldPerTask) {
    if (checkpointId == requested && checkpointId > completed) {
      merge(pendingHold, heldPerTask);
      acked.set(task);
      checkComplete();
    }
  }

  synchronized void taskEnded(int task) {
    ended.set(task);
    if (requested > completed) {
      checkComplete();
    }
  }

  private void checkComplete() {
    BitSet all = (BitSet) acked.clone();
    all.or(ended);
    if (all.cardinality() == taskCount) {
      completedHold = pendingHold;
      completed = requested;
    }
  }
}
