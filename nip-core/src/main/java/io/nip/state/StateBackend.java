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
  record StoreScope(String pipeline, String taskId, String operator) {}
}
