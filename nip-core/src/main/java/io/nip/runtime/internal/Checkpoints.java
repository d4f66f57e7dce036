package io.nip.runtime.internal;

import io.nip.source.SourcePosition;
import io.nip.state.CheckpointStorage;
import io.nip.state.StateBackend;
import io.nip.state.StateChangelog;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinates checkpoints. Every checkpoint interval a checkpoint id is requested; each source task
 * records its reader position, sends a barrier downstream and snapshots its state; a task with
 * several input channels aligns the barrier (see {@link KeyedTask}) and snapshots at the aligned
 * barrier. Every task acknowledges the barrier once everything before it reached its sinks and they
 * were flushed, handing over its snapshot, which is written to the {@link CheckpointStorage} (when
 * one is configured). When all tasks acknowledged (or ended), the checkpoint is completed in the
 * storage first, then source tasks commit the recorded positions and sinks commit.
 *
 * <p>Triggers: the interval, a count of records that entered the sources since the last request
 * ({@link Triggers#everyEvents}; source tasks report them in batches through {@link #entered} and
 * cap their reads with {@link #pollLimit}), or an explicit request. Timeout: a checkpoint not
 * complete {@link Triggers#timeoutMillis} after its request is aborted — counted, logged, never
 * completed — and the next id is requested as usual. Ids are never reused, so acknowledgements and
 * barriers of an aborted checkpoint that arrive later match no checkpoint in flight and are
 * ignored; snapshot parts it left in the storage are never completed, hence never restored.
 *
 * <p>Invariants: one checkpoint in flight at a time; a checkpoint is complete in the storage only
 * once every task's part is there; a task that ended keeps its last snapshot, which is carried into
 * every later checkpoint, so a restore never replays a finished partition.
 *
 * <p>With a {@link StateChangelog} instead of a storage (see {@link #useChangelog}), tasks hand over
 * only the store entries they changed since the previous barrier plus their metadata, and the
 * checkpoint completes by one atomic commit of every task's part and the sources' positions; source
 * tasks then commit nothing themselves. A commit that fails keeps its parts, which go again with
 * the next checkpoint (the changes of a key are upserts, so sending them twice is harmless). Local
 * checkpoints of a durable backend are confirmed once their checkpoint is committed.
 *
 * <p>Where a commit runs: with {@link #commitInBackground} (the pipeline runner) on a committer
 * thread of its own, so that no task waits for the changelog's round trips: the completing task
 * hands the collected parts over and goes on; the next checkpoint is requested only after the commit
 * ended, a task assigned a partition again waits for it (the commit may hold the task's parts), and
 * the final commit waits for it. An error that stops the pipeline is rethrown to the next task round.
 * Without it (the test driver) the completing task commits under the lock.
 *
 * <p>Thread-safe: tasks on any worker call in.
 */
public final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  /** The pseudo task under which a checkpoint records the task ids of the plan that wrote it. */
  public static final String TOPOLOGY = "_topology";
  private final int taskCount;
  private final long intervalMillis;
  private final long everyEvents;
  private final long timeoutMillis;
  private final CheckpointMetrics metrics;
  private final String pipeline;
  /** Records that entered the sources since the last request. */
  private final AtomicLong entered = new AtomicLong();
  private volatile long requested;
  private volatile long completed;
  private volatile boolean inFlight;
  private volatile long lastTrigger;
  private long aborted;
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
    this(taskIds, topology, new Triggers(intervalMillis, 0, Long.MAX_VALUE), nowMillis, storage, restoredId, "", null);
  }

  /**
   * When checkpoints are requested and how long they may take.
   *
   * @param intervalMillis the checkpoint interval
   * @param everyEvents records entering the sources that request a checkpoint, or 0 for none
   * @param timeoutMillis how long a checkpoint may be in flight before it is aborted
   */
  public record Triggers(long intervalMillis, long everyEvents, long timeoutMillis) {}

  /**
   * @param taskIds the id of every task, by global index
   * @param topology describes the plan; written into every checkpoint
   * @param triggers interval, event count and timeout
   * @param nowMillis the clock's time at start
   * @param storage where snapshots go, or null to only commit positions
   * @param restoredId the completed checkpoint the tasks were restored from, or 0
   * @param pipeline the pipeline's name, for logs
   * @param metrics the checkpoints' meters, or null when nothing reads them
   */
  public Checkpoints(String[] taskIds, byte[] topology, Triggers triggers, long nowMillis,
      CheckpointStorage storage, long restoredId, String pipeline, CheckpointMetrics metrics) {
    this.everyEvents = triggers.everyEvents();
    this.timeoutMillis = triggers.timeoutMillis();
    this.pipeline = pipeline;
    this.metrics = metrics == null ? CheckpointMetrics.unread() : metrics;
    this.topology = topology.clone();
    this.taskCount = taskIds.length;
    this.taskIds = taskIds.clone();
    this.finalSnapshots = new byte[taskCount][];
    this.storage = storage;
    this.requested = restoredId;
    this.completed = restoredId;
    this.intervalMillis = triggers.intervalMillis();
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

  /**
   * @param task a source task
   * @return what keyed tasks still held when they ended
   */
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

  // ---- changelog mode ----

  private StateChangelog changelog;
  private StateChangelog.TaskRef[] refs;
  private ChangelogRestores restores;
  /** Why the last commit to the changelog failed, or null. */
  private StateChangelog.CommitFailure lastCommitFailure;
  private StateBackend backend;
  private StateChangelog.TaskPart[] parts;
  private StateChangelog.TaskPart[] finalParts;
  private final List<StateChangelog.TaskPart> carried = new ArrayList<>();
  private final Map<Integer, SourcePosition> positions = new HashMap<>();
  /** Per task, its final source position: committed only with its final part. */
  private SourcePosition[] finalPositions;
  /**
   * Per task: it handed over changes that no commit wrote yet (pending, failed, or left out by the
   * changelog because another instance owned its partition), so its state is ahead of the committed one.
   */
  private boolean[] unwritten;
  /** The local checkpoints of a durable backend waiting for their commit. */
  private LocalCheckpoints local;
  private long lastCommitted;

  /**
   * Switches to changelog mode: call before the first checkpoint.
   *
   * @param changelog where task parts are committed
   * @param refs every task, by global index
   * @param backend the state backend, for local checkpoints
   * @param restores runs and meters the restores of tasks assigned here again
   */
  public void useChangelog(StateChangelog changelog, StateChangelog.TaskRef[] refs, StateBackend backend,
      ChangelogRestores restores) {
    this.changelog = changelog;
    this.restores = restores;
    this.refs = refs.clone();
    this.backend = backend;
    this.parts = new StateChangelog.TaskPart[taskCount];
    this.finalParts = new StateChangelog.TaskPart[taskCount];
    this.finalPositions = new SourcePosition[taskCount];
    this.local = new LocalCheckpoints(pipeline, backend, taskCount);
    this.unwritten = new boolean[taskCount];
    this.lastCommitted = completed;
  }

  /** @return true when task state goes to a changelog */
  boolean changelogEnabled() {
    return changelog != null;
  }

  /** @return the latest checkpoint committed to the changelog */
  public long lastCommitted() {
    return lastCommitted;
  }

  /**
   * @param task a task's global index
   * @return the task as the changelog knows it
   */
  StateChangelog.TaskRef ref(int task) {
    return refs[task];
  }

  /**
   * Builds a task's part at a barrier (or at its end): drains its stores' changes and, with a
   * durable backend and a checkpoint id, takes a local checkpoint of its stores. Called on the
   * task's thread.
   *
   * @param task the task's global index
   * @param rt the task's runtime
   * @param meta its metadata (a task snapshot without store entries)
   * @param checkpointId the barrier's checkpoint, or 0 at the task's end (no local checkpoint)
   * @param assignment the source reader's assignment the state belongs to, or 0
   * @return the part
   */
  StateChangelog.TaskPart part(int task, TaskRuntime rt, byte[] meta, long checkpointId, long assignment) {
    KeyedStateService state = rt.state();
    List<StateChangelog.Change> changes = state.drainChanges();
    local.take(task, rt, checkpointId);
    TaskRuntime.DrainedOutput output = rt.drainOutput(checkpointId);
    return new StateChangelog.TaskPart(refs[task], state.storeIds(), meta, changes, assignment, output.records(),
        output.ahead());
  }

  // ---- exactly-once output ----

  /** Under exactly-once: the sinks' output that goes with the parts, or null. */
  private volatile ExactlyOnceOutput output;

  /**
   * @return true when source tasks should read nothing for now: under exactly-once, the output
   *     waiting in tasks passed {@link ExactlyOnceOutput#BOUND_BYTES} while a commit runs (a slow or
   *     unreachable cluster), so that the output held in memory stays bounded; reading resumes once
   *     the commit ended and the next checkpoint took the output
   */
  boolean outputBacklogged() {
    ExactlyOnceOutput o = output;
    return committing && o != null && o.overBound();
  }

  /**
   * @return what the tasks of this pipeline share when their sinks write through the changelog's
   *     commit (exactly-once); past its bound a checkpoint is requested at once
   */
  public TaskRuntime.TransactionalSinks transactionalSinks() {
    ExactlyOnceOutput o = new ExactlyOnceOutput(pipeline, changelog, () -> {
      if (!inFlight) {
        requestNow();
      }
    });
    output = o;
    return o;
  }

  /**
   * Brings a task's state up to date after a consumer group assigned its partition here (again), and
   * the source resumes at the position committed with the task's state: when another instance
   * committed state of the task meanwhile, or when the task's state holds changes that were not
   * committed (records read since the last commit, which the source reads again, or changes the
   * changelog left out while another instance owned the partition), every part of the task not yet
   * committed here (and its source position) is dropped and the task's stores and timers are
   * restored from the changelog. Called on the task's thread before it reads the partition.
   *
   * @param task the task's global index
   * @param rt the task's runtime
   * @return the task's committed metadata when it was restored, or null when its state is current
   */
  synchronized byte[] refreshAssigned(int task, TaskRuntime rt) {
    awaitCommit(); // the commit may hold parts of the task, and uses the changelog
    StateChangelog.TaskRef ref = refs[task];
    boolean elsewhere = changelog.changedElsewhere(ref); // also brings the changelog's view up to date
    if (!elsewhere && !unwritten[task] && !rt.state().hasChanges() && !rt.hasPendingOutput()) {
      return null;
    }
    if (output != null && ref.sourcePartition() >= 0 && hasKeyedTasks()) {
      // the partition's records since the last commit are read again, but what they did behind an
      // in-process keyBy (state and results of tasks fed by every partition) cannot be rolled back
      // with it: stop, so that a restart restores every task from the last commit
      throw new io.nip.errors.StateException("pipeline '" + pipeline + "': the partition of task " + ref.taskId()
          + " was assigned to this instance again with records not committed; under exactly-once the state and "
          + "results behind a keyBy cannot be rolled back with one partition, so the pipeline stops: restart it "
          + "(it resumes from the last commit), or key the input topic and use keyByPartitioned");
    }
    rt.dropPendingOutput(); // produced again from the records read again
    changelog.abandonAhead(); // some of them, or of the parts dropped below, may be in the open transaction
    unwritten[task] = false;
    carried.removeIf(p -> p.task().taskId().equals(ref.taskId()));
    parts[task] = null;
    finalParts[task] = null;
    finalPositions[task] = null;
    local.forget(task);
    if (ref.sourcePartition() >= 0) {
      positions.remove(ref.sourcePartition());
    }
    KeyedStateService state = rt.state();
    state.clearForRestore();
    return restores.restore(changelog, ref, Map.of(), state, "assigned here again; "
        + (elsewhere ? "committed elsewhere" : "its state held uncommitted changes"));
  }

  private boolean hasKeyedTasks() {
    for (StateChangelog.TaskRef r : refs) {
      if (r.sourcePartition() < 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * A task's part of a checkpoint in changelog mode.
   *
   * @param task the task's global index
   * @param checkpointId the barrier's checkpoint
   * @param part its changes and metadata
   * @param position the source position at the barrier (source tasks), or null
   */
  synchronized void ackPart(int task, long checkpointId, StateChangelog.TaskPart part, SourcePosition position) {
    unwritten[task] |= !part.changes().isEmpty() || !part.output().isEmpty();
    if (inFlight && checkpointId == requested) {
      parts[task] = part;
      if (position != null && refs[task].sourcePartition() >= 0) {
        positions.put(refs[task].sourcePartition(), position);
      }
      acked.set(task);
      checkComplete();
    } else {
      // the part of an aborted checkpoint: its changes were drained from the stores, keep them
      carried.add(part);
    }
  }

  /**
   * The last part of a task whose input ended (or that was stopped): committed with the next
   * checkpoint, or by {@link #completeFinal}.
   *
   * @param task the task's global index
   * @param part its changes since its last barrier, and its final metadata
   * @param position its final source position, or null
   */
  synchronized void finalPart(int task, StateChangelog.TaskPart part, SourcePosition position) {
    unwritten[task] |= !part.changes().isEmpty() || !part.output().isEmpty();
    finalParts[task] = part;
    // not with the barrier part still waiting for its commit: the final position goes with the final part
    finalPositions[task] = position;
  }

  /**
   * One commit to the changelog: the parts and source positions collected when its checkpoint
   * completed.
   *
   * @param id the checkpoint
   * @param parts carried parts first (older changes), then this checkpoint's
   * @param local tasks whose barrier part is in it (their local checkpoints are confirmed)
   * @param positions source positions by source partition
   */
  private record Commit(long id, List<StateChangelog.TaskPart> parts, List<Integer> local,
      Map<Integer, SourcePosition> positions) {}

  /** Takes every waiting part (carried, barrier and final parts) into a commit. Under the lock. */
  private Commit collect(long id) {
    List<StateChangelog.TaskPart> all = new ArrayList<>(carried);
    carried.clear();
    List<Integer> local = new ArrayList<>();
    for (int t = 0; t < taskCount; t++) {
      if (parts[t] != null) {
        all.add(parts[t]);
        local.add(t);
        parts[t] = null;
      } else if (finalParts[t] != null) {
        all.add(finalParts[t]);
        finalParts[t] = null;
        if (finalPositions[t] != null && refs[t].sourcePartition() >= 0) {
          // from now on with every commit (also when this one fails: the final part is carried)
          positions.put(refs[t].sourcePartition(), finalPositions[t]);
        }
        finalPositions[t] = null;
      }
    }
    return new Commit(id, all, local, new HashMap<>(positions));
  }

  /** @return true when the commit happened; false when it failed and its parts were kept */
  private boolean commitParts(long id) {
    Commit c = collect(id);
    try {
      committed(c, changelog.commit(id, c.parts(), c.positions()));
      return true;
    } catch (StateChangelog.CommitFailure e) {
      failed(c, e);
      return false;
    }
  }

  /** A commit was written. Under the lock. */
  private void committed(Commit c, Map<String, Map<String, Long>> after) {
    lastCommitted = c.id();
    for (int t = 0; t < taskCount; t++) {
      if (after.containsKey(taskIds[t]) && finalParts[t] == null && !carriedOf(t)) {
        unwritten[t] = false; // every part it handed over was written
      }
    }
    for (int t : c.local()) {
      local.confirm(t, taskIds[t], c.id(), after.get(taskIds[t]));
    }
  }

  private boolean carriedOf(int t) {
    for (StateChangelog.TaskPart p : carried) {
      if (p.task().taskId().equals(taskIds[t])) {
        return true;
      }
    }
    return false;
  }

  /** A commit failed: its parts go again with the next one, before any part handed over since. Under the lock. */
  private void failed(Commit c, StateChangelog.CommitFailure e) {
    lastCommitFailure = e;
    metrics.failed();
    carried.addAll(0, c.parts());
    LOG.warn("pipeline '{}': checkpoint {} was not committed to {} ({}); its state changes go with the next one",
        pipeline, c.id(), changelog.name(), e.getMessage());
  }

  // ---- commits off the workers ----

  /** Runs changelog commits, or null: the task that completes a checkpoint commits it. */
  private java.util.concurrent.ExecutorService committer;
  /**
   * A commit runs on the committer thread: meanwhile no checkpoint is requested, no task is restored
   * and no other commit starts, so the changelog is used by one thread at a time.
   */
  private volatile boolean committing;
  /** An error of a commit that stops the pipeline; rethrown to the next task that calls in. */
  private volatile RuntimeException commitError;

  /**
   * Commits to the changelog on a thread of their own: the task that completes a checkpoint hands
   * the commit over and goes on processing, as every other task does; the next checkpoint is
   * requested once the commit ended (its interval counts from the previous request). Without it
   * (the test driver) the completing task commits, and everything stays on the caller's thread.
   *
   * @param threadName the committer thread's name
   */
  public synchronized void commitInBackground(String threadName) {
    if (changelog != null && committer == null) {
      committer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
      });
    }
  }

  private void commitAsync(Commit c) {
    committing = true;
    long requestedAt = lastTrigger;
    committer.execute(() -> {
      long start = System.nanoTime();
      Map<String, Map<String, Long>> after = null;
      StateChangelog.CommitFailure failure = null;
      RuntimeException fatal = null;
      try {
        after = changelog.commit(c.id(), c.parts(), c.positions());
      } catch (StateChangelog.CommitFailure e) {
        failure = e;
      } catch (RuntimeException e) {
        fatal = e;
      } catch (Error e) {
        fatal = new io.nip.errors.StateException("pipeline '" + pipeline + "': checkpoint " + c.id() + " failed: " + e, e);
      }
      synchronized (this) {
        if (after != null) {
          committed(c, after);
          metrics.completed(requestedAt);
        } else {
          failed(c, failure != null ? failure : new StateChangelog.CommitFailure(String.valueOf(fatal), fatal));
          if (fatal != null) {
            commitError = fatal;
          }
        }
        completed = c.id();
        committing = false;
        notifyAll();
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("pipeline '{}': checkpoint {} {} in {} ms ({} parts), {} ms after its request", pipeline, c.id(),
            after != null ? "committed" : "failed", (System.nanoTime() - start) / 1_000_000, c.parts().size(),
            System.currentTimeMillis() - requestedAt);
      }
    });
  }

  /** Waits, under the lock, until no commit runs on the committer thread. */
  private void awaitCommit() {
    boolean interrupted = false;
    while (committing) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits for a commit running on the committer thread (at most {@code timeoutMillis}) and stops
   * the thread. Called once the pipeline ended, before its changelog is closed.
   *
   * @param timeoutMillis how long to wait for a running commit
   */
  public void closeCommitter(long timeoutMillis) {
    java.util.concurrent.ExecutorService c;
    synchronized (this) {
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      while (committing && System.nanoTime() < deadline) {
        try {
          wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      c = committer;
    }
    if (c != null) {
      c.shutdownNow();
    }
  }

  /** Requests a checkpoint at the next opportunity, whatever the interval (test driver, shutdown). */
  public synchronized void requestNow() {
    forced = true;
  }

  /**
   * Called before every task round: aborts a checkpoint in flight past its timeout, and requests
   * one when the interval passed or enough records entered the sources.
   *
   * @param nowMillis the clock's time
   */
  public void maybeTrigger(long nowMillis) {
    maybeTrigger(nowMillis, true);
  }

  /**
   * For the test driver, whose virtual clock moves only when a test says so: like
   * {@link #maybeTrigger} without the interval (the record count and the timeout still apply).
   *
   * @param nowMillis the clock's time
   */
  public void maybeTriggerOnCount(long nowMillis) {
    maybeTrigger(nowMillis, false);
  }

  private void maybeTrigger(long nowMillis, boolean onInterval) {
    RuntimeException error = commitError;
    if (error != null) {
      throw error;
    }
    // called on every task round: decide without the lock while a checkpoint is in flight or commits
    if (committing || (inFlight && nowMillis - lastTrigger < timeoutMillis)) {
      return;
    }
    synchronized (this) {
      if (inFlight && nowMillis - lastTrigger >= timeoutMillis) {
        abort(nowMillis);
      }
      trigger(nowMillis, onInterval);
    }
  }

  private void trigger(long nowMillis, boolean onInterval) {
    if (!inFlight && !committing && (forced || (onInterval && nowMillis - lastTrigger >= intervalMillis)
        || (everyEvents > 0 && entered.get() >= everyEvents))) {
      forced = false;
      lastTrigger = nowMillis;
      entered.set(0);
      acked.clear();
      pendingHold = new long[taskCount];
      java.util.Arrays.fill(pendingHold, Long.MAX_VALUE);
      // in flight before the new id is visible: a task that sees the id must find it in flight
      inFlight = true;
      requested = requested + 1; // not completed + 1: an aborted id is never reused
    }
  }

  private void abort(long nowMillis) {
    inFlight = false;
    if (changelog != null) {
      // parts already handed over hold drained changes: they go with the next commit
      for (int t = 0; t < taskCount; t++) {
        if (parts[t] != null) {
          carried.add(parts[t]);
          parts[t] = null;
        }
      }
    }
    aborted++;
    metrics.aborted();
    StringBuilder missing = new StringBuilder();
    int shown = 0;
    for (int t = 0; t < taskCount; t++) {
      if (!acked.get(t) && !ended.get(t) && shown++ < 5) {
        missing.append(missing.length() == 0 ? "" : ", ").append(taskIds[t]);
      }
    }
    LOG.warn("pipeline '{}': checkpoint {} did not complete within {} ms ({} of {} tasks acknowledged; waiting for {}{}): "
        + "aborted, the next checkpoint proceeds", pipeline, requested, nowMillis - lastTrigger,
        acked.cardinality(), taskCount, missing, shown > 5 ? ", ..." : "");
  }

  /**
   * A source task read records.
   *
   * @param records how many entered the source in its last read (bad ones included)
   */
  void entered(long records) {
    if (everyEvents > 0) {
      entered.addAndGet(records);
    }
  }

  /**
   * @param batchSize the task's usual read size
   * @return how many records a source task may read now: no further than the record that
   *     requests the next checkpoint, so that its barrier falls there; the batch size when no count
   *     is set or the count was reached already (a checkpoint is in flight: never stall reading)
   */
  int pollLimit(int batchSize) {
    if (everyEvents <= 0) {
      return batchSize;
    }
    long remaining = everyEvents - entered.get();
    return remaining > 0 && remaining < batchSize ? (int) remaining : batchSize;
  }

  /** @return how many checkpoints were aborted after their timeout */
  public synchronized long abortedCount() {
    return aborted;
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
    ack(task, checkpointId, null, null);
  }

  /**
   * @param task the task's global index
   * @param checkpointId the barrier's checkpoint
   * @param heldPerTask per source task, the smallest position still held in open windows, or null
   * @param snapshot the task's snapshot at the barrier, or null when snapshots are disabled
   */
  void ack(int task, long checkpointId, long[] heldPerTask, byte[] snapshot) {
    // the storage is thread-safe: write outside the lock, so tasks do not queue behind each other's I/O
    if (storage != null && snapshot != null && inFlight && checkpointId == requested) {
      storage.write(checkpointId, taskIds[task], snapshot);
    }
    acknowledge(task, checkpointId, heldPerTask);
  }

  private synchronized void acknowledge(int task, long checkpointId, long[] heldPerTask) {
    if (inFlight && checkpointId == requested) {
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
    if (changelog != null) {
      awaitCommit();
      if (commitError != null) {
        throw commitError;
      }
      long id = Math.max(requested, completed) + 1;
      if (!commitParts(id)) {
        throw new StateChangelog.CommitFailure("pipeline '" + pipeline + "': the final checkpoint " + id
            + " could not be committed to " + changelog.name() + "; a restart resumes from checkpoint "
            + lastCommitted + " (" + lastCommitFailure.getMessage() + ")", lastCommitFailure);
      }
      requested = id;
      completed = id;
      inFlight = false;
      return;
    }
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
    inFlight = false;
  }

  synchronized void taskEnded(int task) {
    ended.set(task);
    if (inFlight) {
      checkComplete();
    }
  }

  private void checkComplete() {
    BitSet all = (BitSet) acked.clone();
    all.or(ended);
    if (all.cardinality() == taskCount) {
      if (changelog != null && committer != null) {
        inFlight = false;
        commitAsync(collect(requested)); // completed once committed
        return;
      }
      if (changelog != null) {
        commitParts(requested);
      }
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
      metrics.completed(lastTrigger);
      completed = requested;
      inFlight = false;
    }
  }
}
