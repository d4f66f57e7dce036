package io.nip.state;

import io.nip.time.NipClock;

/**
 * Creates the stores of a task. In-memory is the default; durable and shared backends (RocksDB,
 * Redis) implement the same interface, so operators never know which one they run on.
 *
 * <pre>{@code
 * PipelineConfig cfg = PipelineConfig.builder().stateBackend(StateBackend.inMemory()).build();
 * }</pre>
 */
public interface StateBackend {

  /** @return a short name for logs and metrics, e.g. "memory" */
  String name();

  /**
   * @param spec the store's description
   * @param scope the owning pipeline, task and operator (for backends that lay stores out on disk)
   * @param clock the clock TTLs are measured on
   * @param <K> key type
   * @param <V> value type
   * @return a new, empty store
   */
  <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock);

  /**
   * Creates a window store: values per key and window start, scanned in (serialized key, start)
   * order. The spec's name, serdes and TTL apply as for key-value stores.
   *
   * @param spec the store's description
   * @param scope the owning pipeline, task and operator
   * @param clock the clock TTLs are measured on
   * @param <K> key type
   * @param <V> value type
   * @return a new store: empty, or on a durable backend holding what {@link #openLocalCheckpoint} opened
   * @throws UnsupportedOperationException when the backend has no window stores (the default)
   */
  default <K, V> WindowStore<K, V> createWindowStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    throw new UnsupportedOperationException("the state backend '" + name() + "' has no window stores");
  }

  /**
   * Creates a session store: values per key and interval, found by overlap in start order. The
   * spec's name, serdes and TTL apply as for key-value stores.
   *
   * @param spec the store's description
   * @param scope the owning pipeline, task and operator
   * @param clock the clock TTLs are measured on
   * @param <K> key type
   * @param <V> value type
   * @return a new store: empty, or on a durable backend holding what {@link #openLocalCheckpoint} opened
   * @throws UnsupportedOperationException when the backend has no session stores (the default)
   */
  default <K, V> SessionStore<K, V> createSessionStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    throw new UnsupportedOperationException("the state backend '" + name() + "' has no session stores");
  }

  /**
   * @return true when the backend keeps stores on this machine's disk, so that a restarted process
   *     can resume from a local checkpoint and read only the changelog's tail (RocksDB); false for
   *     backends that keep nothing locally (memory) or keep it remotely (Redis)
   */
  default boolean isDurable() {
    return false;
  }

  /**
   * Makes the current content of every store of a task a local checkpoint. Called on the task's
   * thread at a checkpoint barrier, after every store of the task was {@link StateStore#flush()
   * flushed}; the checkpoint stays unconfirmed (never opened by {@link #openLocalCheckpoint}) until
   * {@link #confirmLocalCheckpoint} says it was committed. Backends without local persistence do
   * nothing (the default).
   *
   * @param task the task
   * @param checkpointId the checkpoint, positive and increasing
   * @throws io.nip.errors.StateException when the checkpoint could not be written
   */
  default void checkpointLocally(TaskScope task, long checkpointId) {}

  /**
   * Confirms a local checkpoint once the checkpoint is committed (its changelog records and source
   * positions are durable), with the changelog positions a restore from it resumes at. Older local
   * checkpoints of the task may then be dropped. Called from any thread.
   *
   * @param task the task
   * @param checkpointId a checkpoint {@link #checkpointLocally} was called for
   * @param changelogPositions per store id ("operator/store"), the changelog position just after the
   *     checkpoint's records (for Kafka, the next offset); opaque to the backend
   * @throws io.nip.errors.StateException when the confirmation could not be stored
   */
  default void confirmLocalCheckpoint(TaskScope task, long checkpointId, java.util.Map<String, Long> changelogPositions) {}

  /**
   * Before any store of a task is created (at start, or when a partition is assigned again): replaces
   * the task's local stores with the newest confirmed local checkpoint whose id is at most
   * {@code maxCheckpointId}, so that stores created afterwards hold its content. When none qualifies,
   * the task's local stores are emptied and the result is empty: the caller then restores from the
   * whole changelog.
   *
   * @param task the task
   * @param maxCheckpointId the newest checkpoint known to be committed; a newer local checkpoint
   *     (written, but its commit never happened) is never used
   * @return the checkpoint opened, with the changelog positions to resume at, or empty
   * @throws io.nip.errors.StateException when the local state could not be opened
   */
  default java.util.Optional<LocalCheckpoint> openLocalCheckpoint(TaskScope task, long maxCheckpointId) {
    return java.util.Optional.empty();
  }

  /**
   * Closes the task's stores and deletes its local state and checkpoints (its partition moved to
   * another instance for good, or the state is being rebuilt). Does nothing by default.
   *
   * @param task the task
   */
  default void dropLocalState(TaskScope task) {}

  /** @return the in-memory backend */
  static StateBackend inMemory() {
    return io.nip.state.internal.InMemoryStateBackend.INSTANCE;
  }

  /**
   * Where a store lives.
   *
   * @param pipeline the pipeline name
   * @param taskId the task id, e.g. "keyed-1-0"
   * @param operator the operator name
   */
  record StoreScope(String pipeline, String taskId, String operator) {
    /** @return the task this store belongs to */
    public TaskScope task() {
      return new TaskScope(pipeline, taskId);
    }
  }

  /**
   * One task of a pipeline: the unit whose stores are checkpointed together.
   *
   * @param pipeline the pipeline name (the application id)
   * @param taskId the task id, stable across runs of the same plan
   */
  record TaskScope(String pipeline, String taskId) {}

  /**
   * A local checkpoint opened for a restore.
   *
   * @param checkpointId its checkpoint id
   * @param changelogPositions per store id, where the changelog's tail starts
   */
  record LocalCheckpoint(long checkpointId, java.util.Map<String, Long> changelogPositions) {
    /** Copies the map. */
    public LocalCheckpoint {
      changelogPositions = java.util.Map.copyOf(changelogPositions);
    }
  }
}
