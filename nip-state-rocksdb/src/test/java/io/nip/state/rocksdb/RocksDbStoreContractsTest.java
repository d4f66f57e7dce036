package io.nip.state.rocksdb;

import io.nip.state.KeyValueStoreContract;
import io.nip.state.SessionStoreContract;
import io.nip.state.StateBackend;
import io.nip.state.WindowStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * nip-core's store contracts on RocksDB. Key-value stores run three times: with the default write
 * cache, with a cache of three entries (every few writes evict, so reads cross the cache and the
 * database all the time), and writing through.
 */
class RocksDbStoreContractsTest {

  private static RocksDbStateBackend open(Path dir, int writeCacheEntries) {
    return RocksDbStateBackend.builder(dir).blockCacheSize(8L << 20).writeBufferSize(2L << 20)
        .writeCacheEntries(writeCacheEntries).build();
  }

  @Nested
  class KeyValueWithTheDefaultCache extends KeyValueStoreContract {
    @TempDir
    Path dir;
    private RocksDbStateBackend backend;

    @Override
    protected StateBackend backend() {
      return backend != null ? backend : (backend = open(dir, RocksDbStateBackend.DEFAULT_WRITE_CACHE_ENTRIES));
    }

    @Override
    protected void closeStores() {
      super.closeStores();
      if (backend != null) {
        backend.close();
      }
    }
  }

  @Nested
  class KeyValueWithATinyCache extends KeyValueStoreContract {
    @TempDir
    Path dir;
    private RocksDbStateBackend backend;

    @Override
    protected StateBackend backend() {
      return backend != null ? backend : (backend = open(dir, 3));
    }

    @Override
    protected void closeStores() {
      super.closeStores();
      if (backend != null) {
        backend.close();
      }
    }
  }

  @Nested
  class KeyValueWritingThrough extends KeyValueStoreContract {
    @TempDir
    Path dir;
    private RocksDbStateBackend backend;

    @Override
    protected StateBackend backend() {
      return backend != null ? backend : (backend = open(dir, 0));
    }

    @Override
    protected void closeStores() {
      super.closeStores();
      if (backend != null) {
        backend.close();
      }
    }
  }

  @Nested
  class Windows extends WindowStoreContract {
    @TempDir
    Path dir;
    private RocksDbStateBackend backend;

    @Override
    protected StateBackend backend() {
      return backend != null ? backend : (backend = open(dir, 100));
    }

    @Override
    protected void closeStores() {
      super.closeStores();
      if (backend != null) {
        backend.close();
      }
    }
  }

  @Nested
  class Sessions extends SessionStoreContract {
    @TempDir
    Path dir;
    private RocksDbStateBackend backend;

    @Override
    protected StateBackend backend() {
      return backend != null ? backend : (backend = open(dir, 100));
    }

    @Override
    protected void closeStores() {
      super.closeStores();
      if (backend != null) {
        backend.close();
      }
    }
  }
}
