package io.nip.runtime.internal;

import io.nip.state.CheckpointStorage;
import java.util.BitSet;

/**
 * Coordinates checkpoints. Every checkpoint interval a checkpoint id is requested; each source task
 * records its reader position, sends a barrier downstream and snapshots its state; a task with
 * several input channels aligns the barrier (see {@link KeyedTask}) and snapshots at the aligned
 * barrier. Every task acknowledges the barrier once everything before it reached its sinks and they
 * were flushed, handing over its snapshot, which is written to the {@link CheckpointStorage} (when
 * one is configured). When all tasks acknowledged (or ended), the checkpoint is completed in the
 * storage first, then source tasks commit the recorded positions and sinks commit.
 *
 * <p>Invariants: one checkpoint in flight at a time; a checkpoint is complete in the storage only
 * once every task's part is there; a task that ended keeps its last snapshot, which is carried into
 * every later checkpoint, so a restore never replays a finished partition.
 *
 * <p>Thread-safe: tasks on any worker call in.
 */
public final class Checkpoints {
  /** The pseudo task under which a checkpoint records the task ids of the plan that wrote it. */
  public static final String TOPOLOGY = "_topology";
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
  private final CheckpointStorage storage;
  private final String[] taskIds;
  private final byte[] topology;
  /** The last snapshot of each ended task, carried into later checkpoints. */
  private final byte[][] finalSnapshots;
  private boolean forced;

  /**
   * @param taskIds the id of every task, by global index
   * @param topology describes the plan (pipeline, tasks); written into every checkpoint so that a
   *     restore can refuse a checkpoint of another plan
   * @param intervalMillis the checkpoint interval
   * @param nowMillis the clock's time at start
   * @param storage where snapshots go, or null to only commit positions
   * @param restoredId the completed checkpoint the tasks were restored from, or 0
   */
  public Checkpoints(String[] taskIds, byte[] topology, long intervalMillis, long nowMillis,
      CheckpointStorage storage, long restoredId) {
    this.topology = topology.clone();
    this.taskCount = taskIds.length;
    this.taskIds = taskIds.clone();
    this.finalSnapshots = new byte[taskCount][];
    this.storage = storage;
    this.requested = restoredId;
    this.completed = restoredId;
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

  /** @return true when tasks snapshot their state at barriers */
  boolean snapshotsEnabled() {
    return storage != null;
  }

  /** Requests a checkpoint at the next opportunity, whatever the interval (test driver, shutdown). */
  public synchronized void requestNow() {
    forced = true;
  }

  /** @param nowMillis the clock's time; requests a checkpoint when the interval passed */
  public void maybeTrigger(long nowMillis) {
    // called on every task round: decide without the lock while a checkpoint is in flight
    if (requested != completed) {
      return;
    }
    synchronized (this) {
      trigger(nowMillis);
    }
  }

  private void trigger(long nowMillis) {
    if (requested == completed && (forced || nowMillis - lastTrigger >= intervalMillis)) {
      forced = false;
      lastTrigger = nowMillis;
      acked.clear();
      pendingHold = new long[taskCount];
      java.util.Arrays.fill(pendingHold, Long.MAX_VALUE);
      requested = completed + 1;
    }
  }

  /** @return the latest requested checkpoint id */
  public long requested() {
    return requested;
  }

  /** @return the latest completed checkpoint id */
  public long completed() {
    return completed;
  }

  synchronized void ack(int task, long checkpointId) {
    ack(task, checkpointId, null);
  }

  synchronized void ack(int task, long checkpointId, long[] heldPerTask) {
    ack(task, checkpointId, heldPerTask, null);
  }

  /**
   * @param task the task's global index
   * @param checkpointId the barrier's checkpoint
   * @param heldPerTask per source task, the smallest position still held in open windows, or null
   * @param snapshot the task's snapshot at the barrier, or null when snapshots are disabled
   */
  void ack(int task, long checkpointId, long[] heldPerTask, byte[] snapshot) {
    // the storage is thread-safe: write outside the lock, so tasks do not queue behind each other's I/O
    if (storage != null && snapshot != null && checkpointId == requested && checkpointId > completed) {
      storage.write(checkpointId, taskIds[task], snapshot);
    }
    acknowledge(task, checkpointId, heldPerTask);
  }

  private synchronized void acknowledge(int task, long checkpointId, long[] heldPerTask) {
    if (checkpointId == requested && checkpointId > completed) {
      merge(pendingHold, heldPerTask);
      acked.set(task);
      checkComplete();
    }
  }

  /**
   * @param task a task that ended (its input is exhausted or it was stopped)
   * @param lastSnapshot its snapshot after its end, carried into every later checkpoint; or null
   */
  synchronized void taskEnded(int task, byte[] lastSnapshot) {
    finalSnapshots[task] = lastSnapshot;
    taskEnded(task);
  }

  /**
   * After every task ended (bounded input exhausted, or a stop drained): completes one last
   * checkpoint from the tasks' final snapshots, so a restart resumes exactly where this run ended.
   * Does nothing without a storage or when a task left no final snapshot.
   */
  public synchronized void completeFinal() {
    if (storage == null) {
      return;
    }
    for (byte[] s : finalSnapshots) {
      if (s == null) {
        return;
      }
    }
    long id = Math.max(requested, completed) + 1;
    storage.write(id, TOPOLOGY, topology);
    for (int t = 0; t < taskCount; t++) {
      storage.write(id, taskIds[t], finalSnapshots[t]);
    }
    storage.complete(id);
    requested = id;
    completed = id;
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
      if (storage != null) {
        storage.write(requested, TOPOLOGY, topology);
        for (int t = ended.nextSetBit(0); t >= 0; t = ended.nextSetBit(t + 1)) {
          if (!acked.get(t) && finalSnapshots[t] != null) {
            storage.write(requested, taskIds[t], finalSnapshots[t]);
          }
        }
        storage.complete(requested);
      }
      completedHold = pendingHold;
      completed = requested;
    }
  }
}
