package io.nip.pipeline.internal;

import java.util.BitSet;

/**
 * Coordinates at-least-once commits. Every commit interval a checkpoint id is requested; each
 * source task records its reader position and sends a barrier downstream; every task acknowledges
 * the barrier once everything before it reached its sinks and they were flushed. When all tasks
 * acknowledged (or ended), the checkpoint is complete and source tasks commit the recorded
 * positions. One checkpoint in flight at a time. Thread-safe: tasks on any worker call in.
 */
final class Checkpoints {
  private final int taskCount;
  private final long intervalMillis;
  private volatile long requested;
  private volatile long completed;
  private long lastTrigger;
  private final BitSet acked = new BitSet();
  private final BitSet ended = new BitSet();

  Checkpoints(int taskCount, long intervalMillis, long nowMillis) {
    this.taskCount = taskCount;
    this.intervalMillis = intervalMillis;
    this.lastTrigger = nowMillis;
  }

  synchronized void maybeTrigger(long nowMillis) {
    if (requested == completed && nowMillis - lastTrigger >= intervalMillis) {
      lastTrigger = nowMillis;
      acked.clear();
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
    if (checkpointId == requested && checkpointId > completed) {
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
      completed = requested;
    }
  }
}
