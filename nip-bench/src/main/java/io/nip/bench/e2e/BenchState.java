package io.nip.bench.e2e;

import io.nip.state.StateBackend;
import io.nip.state.rocksdb.RocksDbStateBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the end-to-end runs keep their state ({@code --state}): on the heap (NIP's in-memory
 * backend, Kafka Streams' in-memory stores) or in RocksDB (NIP's {@link RocksDbStateBackend},
 * Kafka Streams' default persistent stores). Either way the changelog topics are on the broker.
 */
enum BenchState {
  MEMORY, ROCKSDB;

  /** @return "memory" or "rocksdb", as given on the command line */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * NIP's state backend of one run: the default in-memory backend, or a RocksDB backend in a new
   * temporary directory that {@link Local#close()} closes and deletes.
   */
  Local nipBackend() {
    if (this == MEMORY) {
      return new Local(null, null);
    }
    try {
      Path dir = Files.createTempDirectory("nip-bench-rocksdb-");
      return new Local(RocksDbStateBackend.builder(dir).build(), dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A run's backend and its directory.
   *
   * @param backend the backend, or null for the pipeline's default (in memory)
   * @param dir its directory, or null
   */
  record Local(StateBackend backend, Path dir) implements AutoCloseable {
    @Override
    public void close() {
      if (backend instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the state backend failed: " + e.getMessage(), e);
        }
      }
      if (dir != null) {
        AnalyticsRuns.deleteTree(dir);
      }
    }
  }
}
