package io.nip.state.rocksdb;

import io.nip.errors.ConfigurationException;
import io.nip.state.KeyValueStore;
import io.nip.state.SessionStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSpec;
import io.nip.state.WindowStore;
import io.nip.state.rocksdb.internal.RocksDbEngine;
import io.nip.time.NipClock;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Durable task-local state on RocksDB: one database per task under
 * {@code <stateDir>/<pipeline>/<taskId>/db}, one column family per store ({@code operator/store}),
 * local checkpoints of hard links beside it, and one memory bound for all of it.
 *
 * <pre>{@code
 * RocksDbStateBackend rocks = RocksDbStateBackend.builder(Path.of("/var/lib/app/state")).build();
 * PipelineConfig cfg = PipelineConfig.builder().stateBackend(rocks).build();
 * // ... run pipelines; when the application stops:
 * rocks.close();
 * }</pre>
 *
 * <p><b>Memory.</b> Every database of the backend shares one block cache of
 * {@link Builder#blockCacheSize} bytes (default 64 MiB) holding data, index and filter blocks, and
 * one write-buffer manager capping all memtables at {@link Builder#writeBufferSize} bytes (default
 * 32 MiB), charged to that cache. RocksDB's memory therefore stays near the cache size whatever the
 * number of tasks and stores; writers stall briefly rather than exceed the memtable cap. On the
 * heap, each key-value store keeps a write cache of up to {@link Builder#writeCacheEntries} live
 * objects (default 10,000); window and session stores write through.
 *
 * <p><b>Durability.</b> The write-ahead log is off: a task's live database is never trusted after a
 * restart (it is emptied on first use), and state comes back from a confirmed local checkpoint
 * ({@link #openLocalCheckpoint}) plus the changelog's tail, or from a checkpoint storage's
 * snapshot. Writes to the live database are therefore never fsynced, and a checkpoint flushes the
 * memtables to SST files before RocksDB hard-links them.
 *
 * <p><b>TTL</b> comes from {@link StoreSpec#ttl()} and is measured on the pipeline's clock: the
 * expiry is stored with each value, expired entries are invisible to reads and scans, and
 * {@code purgeExpired()} deletes them.
 *
 * <p><b>Threading.</b> A store belongs to its task's thread, and so do {@link #checkpointLocally}
 * and {@link #openLocalCheckpoint}; {@link #confirmLocalCheckpoint} may come from any thread;
 * {@link #dropLocalState} and {@link #close} are safe from any thread once the task (or every task)
 * stopped using its stores. The backend is shared by every pipeline and task that uses it.
 */
public final class RocksDbStateBackend implements StateBackend, AutoCloseable {
  /** The default block cache capacity: 64 MiB. */
  public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L << 20;
  /** The default cap of all memtables together: 32 MiB. */
  public static final long DEFAULT_WRITE_BUFFER_BYTES = 32L << 20;
  /** The default number of live objects cached per key-value store: 10,000. */
  public static final int DEFAULT_WRITE_CACHE_ENTRIES = 10_000;
  /** The default number of flush and compaction threads per database: 2. */
  public static final int DEFAULT_BACKGROUND_JOBS = 2;
  private static final long MIN_BYTES = 1L << 20;

  private final Path stateDir;
  private final long blockCacheBytes;
  private final long writeBufferBytes;
  private final int writeCacheEntries;
  private final RocksDbEngine engine;

  private RocksDbStateBackend(Builder b) {
    this.stateDir = b.stateDir;
    this.blockCacheBytes = b.blockCacheBytes;
    this.writeBufferBytes = b.writeBufferBytes;
    this.writeCacheEntries = b.writeCacheEntries;
    this.engine = new RocksDbEngine(stateDir, blockCacheBytes, writeBufferBytes, writeCacheEntries, b.backgroundJobs);
  }

  /**
   * @param stateDir the directory every task's database and checkpoints go under; created when
   *     needed; one directory per application instance (two running processes must not share it)
   * @return a builder with the defaults
   */
  public static Builder builder(Path stateDir) {
    return new Builder(Objects.requireNonNull(stateDir, "stateDir"));
  }

  /** @return "rocksdb" */
  @Override
  public String name() {
    return "rocksdb";
  }

  /** @return true: stores live on this machine's disk and local checkpoints survive a restart */
  @Override
  public boolean isDurable() {
    return true;
  }

  /**
   * Creates a key-value store with a write cache in the task's database. Its content is empty
   * unless {@link #openLocalCheckpoint} opened a checkpoint for the task, or a closed store of the
   * same id left data in this process; a store of the same id that was not closed is replaced and
   * starts empty.
   *
   * @throws io.nip.errors.StateException when the database cannot be opened
   */
  @Override
  public <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return engine.keyValueStore(spec, scope, clock);
  }

  /**
   * Creates a window store (keys laid out as {@link io.nip.state.StoreKeys#window}); its content
   * follows the rules of {@link #createKeyValueStore}.
   *
   * @throws io.nip.errors.StateException when the database cannot be opened
   */
  @Override
  public <K, V> WindowStore<K, V> createWindowStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return engine.windowStore(spec, scope, clock);
  }

  /**
   * Creates a session store (keys laid out as {@link io.nip.state.StoreKeys#session}); its content
   * follows the rules of {@link #createKeyValueStore}.
   *
   * @throws io.nip.errors.StateException when the database cannot be opened
   */
  @Override
  public <K, V> SessionStore<K, V> createSessionStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return engine.sessionStore(spec, scope, clock);
  }

  /**
   * Writes every store's write cache, flushes the memtables and makes a RocksDB checkpoint in
   * {@code <task>/checkpoints/chk-<id>} (hard links: only files no other checkpoint holds cost
   * disk). A directory of the same id left by an earlier run is replaced.
   *
   * @throws IllegalArgumentException when {@code checkpointId} is not positive
   */
  @Override
  public void checkpointLocally(TaskScope task, long checkpointId) {
    engine.checkpoint(task, checkpointId);
  }

  /**
   * Writes {@code chk-<id>/_CONFIRMED} with the positions (temporary file, fsync, atomic rename),
   * then keeps the two newest confirmed checkpoints and deletes older ones, confirmed or not. A
   * confirmation arriving after a newer checkpoint's is ignored (its checkpoint was superseded).
   *
   * @throws io.nip.errors.StateException when the checkpoint was never written or the file cannot be written
   */
  @Override
  public void confirmLocalCheckpoint(TaskScope task, long checkpointId, Map<String, Long> changelogPositions) {
    engine.confirm(task, checkpointId, changelogPositions);
  }

  /**
   * Closes the task's database (its open stores become unusable), replaces it by a hard-linked
   * copy of the newest confirmed checkpoint whose id is at most {@code maxCheckpointId} (or by
   * nothing), and deletes the task's checkpoints newer than {@code maxCheckpointId}.
   */
  @Override
  public Optional<LocalCheckpoint> openLocalCheckpoint(TaskScope task, long maxCheckpointId) {
    return engine.open(task, maxCheckpointId);
  }

  /** Closes the task's database and deletes {@code <stateDir>/<pipeline>/<taskId>} entirely. */
  @Override
  public void dropLocalState(TaskScope task) {
    engine.drop(task);
  }

  /** @return the directory tasks' state lives under */
  public Path stateDir() {
    return stateDir;
  }

  /**
   * @param task a task
   * @return its directory: {@code <stateDir>/<pipeline>/<taskId>}, holding {@code db/} and
   *     {@code checkpoints/}
   */
  public Path taskDirectory(TaskScope task) {
    return engine.taskDirectory(task);
  }

  /** @return what RocksDB uses of its memory bound now */
  public MemoryUsage memoryUsage() {
    return new MemoryUsage(blockCacheBytes, engine.cacheUsage(), engine.cachePinnedUsage(),
        writeBufferBytes, engine.memTableBytes(), engine.tableReaderBytes());
  }

  /**
   * Closes every task's database and releases the native cache; files and checkpoints stay. Call
   * it once no pipeline uses the backend any more. Idempotent.
   *
   * @throws io.nip.errors.StateException when a database could not be closed cleanly
   */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "rocksdb[" + stateDir + ", blockCache=" + blockCacheBytes + ", writeBuffer=" + writeBufferBytes
        + ", writeCacheEntries=" + writeCacheEntries + "]";
  }

  /**
   * RocksDB's memory at one moment, in bytes.
   *
   * @param blockCacheCapacity the configured cache size: the bound
   * @param blockCacheUsage what the cache holds: data, index and filter blocks, plus the memtable
   *     memory charged to it by the write-buffer manager
   * @param blockCachePinned the part of the usage pinned by readers and iterators
   * @param writeBufferLimit the configured cap of all memtables
   * @param memTableBytes what all memtables of all open databases hold
   * @param tableReaderBytes table-reader memory outside the cache (near 0: index and filter blocks
   *     are cached)
   */
  public record MemoryUsage(long blockCacheCapacity, long blockCacheUsage, long blockCachePinned,
      long writeBufferLimit, long memTableBytes, long tableReaderBytes) {}

  /** Settings of a {@link RocksDbStateBackend}; every setter validates and names the bad value. */
  public static final class Builder {
    private final Path stateDir;
    private long blockCacheBytes = DEFAULT_BLOCK_CACHE_BYTES;
    private long writeBufferBytes = DEFAULT_WRITE_BUFFER_BYTES;
    private int writeCacheEntries = DEFAULT_WRITE_CACHE_ENTRIES;
    private int backgroundJobs = DEFAULT_BACKGROUND_JOBS;

    private Builder(Path stateDir) {
      this.stateDir = stateDir;
    }

    /**
     * @param bytes capacity of the block cache shared by every store, memtables included; at least 1 MiB
     * @return this builder
     */
    public Builder blockCacheSize(long bytes) {
      if (bytes < MIN_BYTES) {
        throw ConfigurationException.invalid("block.cache.bytes", bytes, "must be at least " + MIN_BYTES + " (1 MiB)");
      }
      this.blockCacheBytes = bytes;
      return this;
    }

    /**
     * @param bytes cap of all memtables together, charged to the block cache; at least 1 MiB and
     *     below the block cache size
     * @return this builder
     */
    public Builder writeBufferSize(long bytes) {
      if (bytes < MIN_BYTES) {
        throw ConfigurationException.invalid("write.buffer.bytes", bytes, "must be at least " + MIN_BYTES + " (1 MiB)");
      }
      this.writeBufferBytes = bytes;
      return this;
    }

    /**
     * @param entries live objects cached per key-value store, 0 to write through
     * @return this builder
     */
    public Builder writeCacheEntries(int entries) {
      if (entries < 0) {
        throw ConfigurationException.invalid("write.cache.entries", entries, "must be 0 or more");
      }
      this.writeCacheEntries = entries;
      return this;
    }

    /**
     * @param jobs RocksDB's {@code max_background_jobs} per database (flushes and compactions at once;
     *     the threads come from one pool per process); 1 to 64
     * @return this builder
     */
    public Builder backgroundJobs(int jobs) {
      if (jobs < 1 || jobs > 64) {
        throw ConfigurationException.invalid("background.jobs", jobs, "must be between 1 and 64");
      }
      this.backgroundJobs = jobs;
      return this;
    }

    /**
     * @return the backend, with its native cache allocated (close it)
     * @throws ConfigurationException when the write buffer is not smaller than the block cache
     */
    public RocksDbStateBackend build() {
      if (writeBufferBytes >= blockCacheBytes) {
        throw ConfigurationException.invalid("write.buffer.bytes", writeBufferBytes,
            "must be smaller than block.cache.bytes (" + blockCacheBytes + "), to which memtables are charged");
      }
      return new RocksDbStateBackend(this);
    }
  }
}
