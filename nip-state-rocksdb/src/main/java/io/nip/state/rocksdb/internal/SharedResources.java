package io.nip.state.rocksdb.internal;

import io.nip.errors.StateException;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The native objects every database of one backend shares, created once and closed last.
 *
 * <p>Why shared: the memory bound. One {@link LRUCache} holds the data, index and filter blocks of
 * every database (index and filter blocks live in the cache, not beside it, so open files do not
 * add memory outside the bound), and one {@link WriteBufferManager} caps the memtables of every
 * database and charges them to that same cache. RocksDB's own memory is then the cache capacity
 * plus what iterators pin; nothing grows with the number of tasks or stores. The manager stalls
 * writers when the memtables reach the cap instead of letting them grow past it.
 *
 * <p>Invariants: options are immutable once built; {@link #close()} runs after every database of
 * the backend was closed. Threading: the objects are thread-safe natively; this class has no state
 * of its own after construction.
 */
final class SharedResources implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final long blockCacheBytes;
  private final long writeBufferBytes;
  private final Cache cache;
  private final WriteBufferManager writeBufferManager;
  private final BloomFilter filter;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions columnOptions;
  private final WriteOptions writeOptions;
  private final FlushOptions flushOptions;

  /**
   * @param blockCacheBytes capacity of the shared block cache, memtables included
   * @param writeBufferBytes cap of all memtables together, charged to the cache
   * @param backgroundJobs flush and compaction threads per database
   */
  SharedResources(long blockCacheBytes, long writeBufferBytes, int backgroundJobs) {
    this.blockCacheBytes = blockCacheBytes;
    this.writeBufferBytes = writeBufferBytes;
    // 4 shards (2^2): few, so that each shard is large next to a 16 KiB block even for small caches;
    // high-priority pool for index and filter blocks, so data blocks are evicted first.
    this.cache = new LRUCache(blockCacheBytes, 2, false, 0.1);
    this.writeBufferManager = new WriteBufferManager(writeBufferBytes, cache, true);
    this.filter = new BloomFilter(10, false);
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(cache)
        .setBlockSize(16 * 1024)
        .setCacheIndexAndFilterBlocks(true)
        .setCacheIndexAndFilterBlocksWithHighPriority(true)
        .setPinL0FilterAndIndexBlocksInCache(true)
        .setFilterPolicy(filter)
        .setOptimizeFiltersForMemory(true);
    this.columnOptions = new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setWriteBufferSize(memtableSize(writeBufferBytes))
        .setMaxWriteBufferNumber(2)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true);
    this.dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setWriteBufferManager(writeBufferManager)
        .setMaxBackgroundJobs(backgroundJobs)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2)
        .setStatsDumpPeriodSec(0)
        .setAvoidFlushDuringShutdown(false);
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    this.flushOptions = new FlushOptions().setWaitForFlush(true);
  }

  /**
   * One memtable of a column family: a quarter of the cap, between 1 and 64 MiB, so that a single
   * busy store can use the cap without one memtable taking all of it.
   */
  static long memtableSize(long writeBufferBytes) {
    return Math.max(1L << 20, Math.min(64L << 20, writeBufferBytes / 4));
  }

  long blockCacheBytes() {
    return blockCacheBytes;
  }

  long writeBufferBytes() {
    return writeBufferBytes;
  }

  Cache cache() {
    return cache;
  }

  DBOptions dbOptions() {
    return dbOptions;
  }

  ColumnFamilyOptions columnOptions() {
    return columnOptions;
  }

  WriteOptions writeOptions() {
    return writeOptions;
  }

  FlushOptions flushOptions() {
    return flushOptions;
  }

  /** @return bytes the cache holds now: blocks plus the memtables charged to it */
  public long cacheUsage() {
    return cache.getUsage();
  }

  /** @return bytes of the cache pinned by readers and iterators */
  public long cachePinnedUsage() {
    return cache.getPinnedUsage();
  }

  @Override
  public void close() {
    try {
      flushOptions.close();
      writeOptions.close();
      dbOptions.close();
      columnOptions.close();
      filter.close();
      writeBufferManager.close();
      cache.close();
    } catch (RuntimeException e) {
      throw new StateException("could not release RocksDB's shared resources: " + e.getMessage(), e);
    }
  }
}
