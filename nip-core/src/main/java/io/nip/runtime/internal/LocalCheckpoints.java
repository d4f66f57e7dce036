package io.nip.runtime.internal;

import io.nip.state.StateBackend;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The local checkpoints that tasks of a durable state backend take at their barriers in changelog
 * mode, and their confirmation once the checkpoint's commit wrote the task's part.
 *
 * <p>Why: after a restart a durable backend reopens a task's stores from its last confirmed local
 * checkpoint and reads only the changelog records written after it. A local checkpoint is therefore
 * confirmed only when its checkpoint was committed with the task's part (a changelog leaves out the
 * part of a task whose partition another instance owns: its local state is then ahead of the
 * committed state), and with the changelog positions that commit reached per store.
 *
 * <p>Invariant: per task at most one local checkpoint waits for confirmation, the latest. Threading:
 * {@link #take} runs on the task's thread; {@link #confirm} on whichever thread commits; the record of
 * what was taken is guarded by this object.
 */
final class LocalCheckpoints {
  /**
   * A local checkpoint a task took at a barrier.
   *
   * @param checkpointId the barrier's checkpoint
   * @param created the stores that existed (their content is in the local checkpoint as of the barrier)
   * @param uncreated per store not created yet, the changelog position its content corresponds to
   */
  private record Taken(long checkpointId, Set<String> created, Map<String, Long> uncreated) {}

  private final String pipeline;
  private final StateBackend backend;
  /** Per task, the local checkpoint taken with its latest barrier part, or null. */
  private final Taken[] taken;

  /**
   * @param pipeline the pipeline's name, scoping the tasks in the backend
   * @param backend the state backend
   * @param taskCount how many tasks the pipeline has
   */
  LocalCheckpoints(String pipeline, StateBackend backend, int taskCount) {
    this.pipeline = pipeline;
    this.backend = backend;
    this.taken = new Taken[taskCount];
  }

  /**
   * At a barrier, with a durable backend and stores: flushes the task's stores and takes a local
   * checkpoint of them. Called on the task's thread after its changes were drained.
   *
   * @param task the task's global index
   * @param rt the task's runtime
   * @param checkpointId the barrier's checkpoint, or 0 at the task's end (nothing taken)
   */
  void take(int task, TaskRuntime rt, long checkpointId) {
    KeyedStateService state = rt.state();
    if (checkpointId <= 0 || !backend.isDurable() || state.stores().isEmpty()) {
      return;
    }
    state.flushStores();
    backend.checkpointLocally(new StateBackend.TaskScope(pipeline, rt.taskId()), checkpointId);
    Taken t = new Taken(checkpointId, Set.copyOf(state.stores().keySet()), state.uncreatedPositions());
    synchronized (this) {
      taken[task] = t;
    }
  }

  /**
   * Forgets what a task took (its state is being restored from the changelog).
   *
   * @param task the task's global index
   */
  synchronized void forget(int task) {
    taken[task] = null;
  }

  /**
   * Confirms the local checkpoint a task took at checkpoint {@code id}, now committed: only when it
   * took one at that checkpoint, and only when its part was written ({@code after} not null). A store
   * created since the local state was opened resumes after this commit's records; one not created yet
   * still holds what it was opened with.
   *
   * @param task the task's global index
   * @param taskId the task's id
   * @param id the committed checkpoint
   * @param after per store, the changelog position after this commit, or null when the part was left out
   */
  synchronized void confirm(int task, String taskId, long id, Map<String, Long> after) {
    Taken t = taken[task];
    if (!backend.isDurable() || t == null || t.checkpointId() != id || after == null) {
      return;
    }
    Map<String, Long> resume = new HashMap<>(t.uncreated());
    after.forEach((store, position) -> {
      if (t.created().contains(store)) {
        resume.put(store, position);
      }
    });
    backend.confirmLocalCheckpoint(new StateBackend.TaskScope(pipeline, taskId), id, resume);
  }
}
