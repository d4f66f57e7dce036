package io.nip.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serdes;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend.StoreScope;
import io.nip.state.StoreSpec;
import io.nip.time.ManualClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory bound: four tasks write keys with 100-byte values through their write caches, then
 * read random keys back; the block cache (which the memtables are charged to) and the memtables
 * stay within the configured sizes throughout (16 MiB of cache, 4 MiB of memtables). 100,000 keys
 * in the build; the README's figures come from {@code -Dnip.rocksdb.keys=1000000}, and
 * {@code -Dnip.rocksdb.cacheMiB} / {@code -Dnip.rocksdb.writeBufferMiB} change the sizes (see the
 * module README for the commands).
 */
class RocksDbMemoryBoundTest {
  private static final long CACHE = Long.getLong("nip.rocksdb.cacheMiB", 16) << 20;
  private static final long WRITE_BUFFER = Long.getLong("nip.rocksdb.writeBufferMiB", 4) << 20;
  private static final int TASKS = 4;
  @TempDir
  Path dir;

  /** The largest figures seen while sampling. */
  private static final class Peaks {
    long cache;
    long pinned;
    long memTables;
    long tableReaders;

    void sample(RocksDbStateBackend.MemoryUsage u) {
      cache = Math.max(cache, u.blockCacheUsage());
      pinned = Math.max(pinned, u.blockCachePinned());
      memTables = Math.max(memTables, u.memTableBytes());
      tableReaders = Math.max(tableReaders, u.tableReaderBytes());
    }
  }

  @Test
  void when_many_keys_are_written_and_read_then_rocksdb_memory_stays_within_the_configured_bound() {
    int keys = Integer.getInteger("nip.rocksdb.keys", 100_000);
    ManualClock clock = new ManualClock(Instant.parse("2026-01-17T17:00:00Z"));
    StoreSpec<String, byte[]> spec = StoreSpec.keyValue("blobs", Serdes.string(), Serdes.bytes());
    Peaks peaks = new Peaks();
    Random random = new Random(5);
    long started = System.nanoTime();
    try (RocksDbStateBackend backend = RocksDbStateBackend.builder(dir).blockCacheSize(CACHE)
        .writeBufferSize(WRITE_BUFFER).writeCacheEntries(1_000).build()) {
      List<KeyValueStore<String, byte[]>> stores = new ArrayList<>();
      for (int t = 0; t < TASKS; t++) {
        stores.add(backend.createKeyValueStore(spec, new StoreScope("bound", "task-" + t, "op"), clock));
      }
      // When: every key written once, then as many random reads as a tenth of the keys
      for (int i = 0; i < keys; i++) {
        byte[] value = new byte[100];
        random.nextBytes(value);
        stores.get(i % TASKS).put(key(i), value);
        if (i % 10_000 == 0) {
          peaks.sample(backend.memoryUsage());
        }
      }
      stores.forEach(KeyValueStore::flush);
      peaks.sample(backend.memoryUsage());
      long writeNanos = System.nanoTime() - started;
      int found = 0;
      for (int i = 0; i < keys / 10; i++) {
        int k = random.nextInt(keys);
        found += stores.get(k % TASKS).get(key(k)) != null ? 1 : 0;
        if (i % 2_000 == 0) {
          peaks.sample(backend.memoryUsage());
        }
      }
      RocksDbStateBackend.MemoryUsage end = backend.memoryUsage();
      peaks.sample(end);
      System.out.printf("rocksdb memory bound: %,d keys of 100 bytes in %d tasks, written in %.1f s (reads %.1f s);"
              + " block cache %s of %s (peak %s, pinned peak %s); memtables peak %s of %s; table readers peak %s;"
              + " at the end: cache %s, memtables %s; process RSS %s%n",
          keys, TASKS, writeNanos / 1e9, (System.nanoTime() - started - writeNanos) / 1e9,
          mib(end.blockCacheUsage()), mib(CACHE), mib(peaks.cache), mib(peaks.pinned), mib(peaks.memTables),
          mib(WRITE_BUFFER), mib(peaks.tableReaders), mib(end.blockCacheUsage()), mib(end.memTableBytes()), rss());
      // Then
      assertThat(found).isEqualTo(keys / 10);
      assertThat(peaks.cache).as("block cache usage, memtables included").isLessThanOrEqualTo(CACHE + CACHE / 20);
      assertThat(peaks.memTables).as("memtables of every task").isLessThanOrEqualTo(WRITE_BUFFER + WRITE_BUFFER / 4);
      assertThat(peaks.tableReaders).as("table readers outside the cache").isLessThan(1L << 20);
      assertThat(end.blockCacheUsage()).as("the cache is used, not bypassed").isGreaterThan(CACHE / 4);
    }
  }

  private static String key(int i) {
    return String.format("key-%09d", i);
  }

  /** @return the process's resident memory (heap included), where Linux tells it */
  private static String rss() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return mib(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: the figure is informative only
    }
    return "n/a";
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (double) (1 << 20));
  }
}
