package io.nip.state.rocksdb.internal;

import io.nip.errors.StateException;
import io.nip.state.KeyValueStore;
import io.nip.state.SessionStore;
import io.nip.state.StateBackend.LocalCheckpoint;
import io.nip.state.StateBackend.StoreScope;
import io.nip.state.StateBackend.TaskScope;
import io.nip.state.StoreSpec;
import io.nip.state.WindowStore;
import io.nip.time.NipClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The implementation behind {@code RocksDbStateBackend}: the shared native resources and one
 * {@link TaskDb} per task, created on first use.
 *
 * <p>Invariants: a task's directory is {@code <stateDir>/<pipeline>/<taskId>}; a store's column
 * family is named by its id {@code <operator>/<store>}. After {@link #close()} every call fails.
 * Threading: the task map is concurrent; each {@link TaskDb} guards its own life cycle; stores are
 * confined to their task's thread.
 */
public final class RocksDbEngine implements AutoCloseable {
  private final Path stateDir;
  private final int writeCacheEntries;
  private final SharedResources shared;
  private final Map<TaskScope, TaskDb> tasks = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param stateDir the root of every task's directory
   * @param blockCacheBytes capacity of the shared block cache
   * @param writeBufferBytes cap of all memtables, charged to the cache
   * @param writeCacheEntries object cache entries per key-value store (0: write through)
   * @param backgroundJobs flush and compaction threads per database
   */
  public RocksDbEngine(Path stateDir, long blockCacheBytes, long writeBufferBytes, int writeCacheEntries,
      int backgroundJobs) {
    this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
    this.writeCacheEntries = writeCacheEntries;
    this.shared = new SharedResources(blockCacheBytes, writeBufferBytes, backgroundJobs);
  }

  private TaskDb task(TaskScope task) {
    if (closed) {
      throw new StateException("the RocksDB state backend in " + stateDir + " is closed");
    }
    return tasks.computeIfAbsent(Objects.requireNonNull(task, "task"), t -> new TaskDb(shared, stateDir, t));
  }

  private static String storeId(StoreScope scope, StoreSpec<?, ?> spec) {
    return scope.operator() + "/" + spec.name();
  }

  /** @return a key-value store with a write cache, in the task's database */
  public <K, V> KeyValueStore<K, V> keyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return new RocksKeyValueStore<>(spec, task(scope.task()), storeId(scope, spec), clock, writeCacheEntries);
  }

  /** @return a window store in the task's database */
  public <K, V> WindowStore<K, V> windowStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return new RocksWindowStore<>(spec, task(scope.task()), storeId(scope, spec), clock);
  }

  /** @return a session store in the task's database */
  public <K, V> SessionStore<K, V> sessionStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return new RocksSessionStore<>(spec, task(scope.task()), storeId(scope, spec), clock);
  }

  /** Writes checkpoint {@code id} of the task, unconfirmed. */
  public void checkpoint(TaskScope task, long id) {
    requirePositive(id);
    task(task).checkpoint(id);
  }

  /** Confirms checkpoint {@code id} of the task. */
  public void confirm(TaskScope task, long id, Map<String, Long> changelogPositions) {
    requirePositive(id);
    task(task).checkpoints().confirm(id, Objects.requireNonNull(changelogPositions, "changelogPositions"));
  }

  /** Reopens the task's database from its newest confirmed checkpoint at most {@code maxId}. */
  public Optional<LocalCheckpoint> open(TaskScope task, long maxId) {
    return task(task).open(maxId);
  }

  /** Deletes the task's database and checkpoints. */
  public void drop(TaskScope task) {
    task(task).drop();
  }

  /** @return the task's directory */
  public Path taskDirectory(TaskScope task) {
    return stateDir.resolve(task.pipeline()).resolve(task.taskId());
  }

  /** @return bytes in the shared cache: blocks and the memtables charged to it */
  public long cacheUsage() {
    return shared.cacheUsage();
  }

  /** @return bytes of the cache pinned by readers and iterators */
  public long cachePinnedUsage() {
    return shared.cachePinnedUsage();
  }

  /** @return bytes of every open database's memtables */
  public long memTableBytes() {
    long sum = 0;
    for (TaskDb db : tasks.values()) {
      sum += db.memTableBytes();
    }
    return sum;
  }

  /** @return bytes of table readers held outside the cache, over every open database */
  public long tableReaderBytes() {
    long sum = 0;
    for (TaskDb db : tasks.values()) {
      sum += db.tableReaderBytes();
    }
    return sum;
  }

  /** Closes every database, then the shared resources; files stay. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    for (TaskDb db : tasks.values()) {
      try {
        db.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    tasks.clear();
    shared.close();
    if (!failures.isEmpty()) {
      StateException e = new StateException("could not close every RocksDB database in " + stateDir, failures.get(0));
      failures.subList(1, failures.size()).forEach(e::addSuppressed);
      throw e;
    }
  }

  private static void requirePositive(long id) {
    if (id <= 0) {
      throw new IllegalArgumentException("checkpoint ids are positive, but was " + id);
    }
  }
}
