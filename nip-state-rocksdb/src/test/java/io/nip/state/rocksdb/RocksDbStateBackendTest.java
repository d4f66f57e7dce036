package io.nip.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.StateException;
import io.nip.serde.Serdes;
import io.nip.state.KeyValue;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StateBackend.StoreScope;
import io.nip.state.StateBackend.TaskScope;
import io.nip.state.StateBackendProvider;
import io.nip.state.StoreIterator;
import io.nip.state.StoreSpec;
import io.nip.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend itself: settings, layout on disk, the write cache, store life cycles, the provider. */
class RocksDbStateBackendTest {
  private static final StoreScope SCOPE = new StoreScope("app", "keyed-1-0", "count");
  private static final StoreSpec<String, List<Long>> LISTS = StoreSpec.keyValue("lists", Serdes.string(),
      Serdes.json(new com.fasterxml.jackson.core.type.TypeReference<List<Long>>() {}));
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-17T17:00:00Z"));
  @TempDir
  Path dir;
  private final List<RocksDbStateBackend> backends = new ArrayList<>();

  private RocksDbStateBackend backend(int writeCacheEntries) {
    RocksDbStateBackend b = RocksDbStateBackend.builder(dir).blockCacheSize(8L << 20).writeBufferSize(2L << 20)
        .writeCacheEntries(writeCacheEntries).build();
    backends.add(b);
    return b;
  }

  @AfterEach
  void close() {
    backends.forEach(RocksDbStateBackend::close);
  }

  @Test
  void when_settings_are_invalid_then_the_builder_names_the_setting_and_the_value() {
    assertThatThrownBy(() -> RocksDbStateBackend.builder(dir).blockCacheSize(1000))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("block.cache.bytes").hasMessageContaining("1000");
    assertThatThrownBy(() -> RocksDbStateBackend.builder(dir).writeBufferSize(-1))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("write.buffer.bytes");
    assertThatThrownBy(() -> RocksDbStateBackend.builder(dir).writeCacheEntries(-5))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("write.cache.entries").hasMessageContaining("-5");
    assertThatThrownBy(() -> RocksDbStateBackend.builder(dir).backgroundJobs(0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("background.jobs");
    assertThatThrownBy(() -> RocksDbStateBackend.builder(dir).blockCacheSize(8L << 20).writeBufferSize(8L << 20).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("write.buffer.bytes")
        .hasMessageContaining("smaller than block.cache.bytes");
  }

  @Test
  void when_stores_are_created_then_each_task_has_one_database_with_a_column_family_per_store() throws Exception {
    RocksDbStateBackend b = backend(10);
    b.createKeyValueStore(StoreSpec.keyValue("a", Serdes.string(), Serdes.string()), SCOPE, clock).put("k", "v");
    b.createWindowStore(StoreSpec.of("w", Serdes.string(), Serdes.string()), SCOPE, clock);
    b.createKeyValueStore(StoreSpec.keyValue("a", Serdes.string(), Serdes.string()),
        new StoreScope("app", "keyed-1-1", "count"), clock);
    b.checkpointLocally(new TaskScope("app", "keyed-1-0"), 1);

    Path task = dir.resolve("app").resolve("keyed-1-0");
    assertThat(b.taskDirectory(new TaskScope("app", "keyed-1-0"))).isEqualTo(task);
    assertThat(task.resolve("db").resolve("CURRENT")).exists();
    assertThat(task.resolve("checkpoints").resolve("chk-1").resolve("CURRENT")).exists();
    assertThat(dir.resolve("app").resolve("keyed-1-1").resolve("db")).exists();
    assertThat(org.rocksdb.RocksDB.listColumnFamilies(new org.rocksdb.Options(), task.resolve("checkpoints/chk-1").toString()))
        .extracting(String::new).containsExactlyInAnyOrder("default", "count/a", "count/w");
    assertThat(b.name()).isEqualTo("rocksdb");
    assertThat(b.isDurable()).isTrue();
    assertThat(b.toString()).contains(dir.toString());
  }

  @Test
  void when_a_value_changes_after_put_then_only_a_new_put_stores_the_change() {
    // Given: a cache of two entries, so the third key evicts the first
    KeyValueStore<String, List<Long>> s = backend(2).createKeyValueStore(LISTS, SCOPE, clock);
    List<Long> list = new ArrayList<>(List.of(1L));
    s.put("a", list);
    list.add(2L);                    // changed after put, never put again
    s.put("b", List.of(3L));
    s.put("c", List.of(4L));         // evicts "a": written as it is now
    s.put("d", List.of(5L));
    // Then: the store does not promise live objects, and reads after eviction see what was written
    assertThat(s.storesLiveObjects()).isFalse();
    assertThat(s.get("a")).containsExactly(1L, 2L);
    List<Long> again = s.get("a");
    again.add(9L);
    s.put("a", again);
    s.flush();
    assertThat(s.get("a")).containsExactly(1L, 2L, 9L);
    assertThat(s.approximateSize()).isBetween(3L, 5L);
  }

  @Test
  void when_a_store_is_created_again_while_the_first_is_open_then_the_new_one_is_empty_and_the_old_one_unusable() {
    RocksDbStateBackend b = backend(10);
    KeyValueStore<String, List<Long>> first = b.createKeyValueStore(LISTS, SCOPE, clock);
    first.put("a", List.of(1L));
    first.flush();

    KeyValueStore<String, List<Long>> second = b.createKeyValueStore(LISTS, SCOPE, clock);

    assertThat(second.get("a")).isNull();
    assertThatThrownBy(() -> first.get("a")).isInstanceOf(StateException.class)
        .hasMessageContaining("count/lists").hasMessageContaining("replaced");
  }

  @Test
  void when_the_database_closes_under_an_open_scan_then_the_scan_ends_instead_of_crashing() {
    RocksDbStateBackend b = backend(10);
    KeyValueStore<String, List<Long>> s = b.createKeyValueStore(LISTS, SCOPE, clock);
    s.put("a", List.of(1L));
    s.put("b", List.of(2L));
    StoreIterator<KeyValue<String, List<Long>>> scan = s.range(null, null);
    assertThat(scan.next().key()).isEqualTo("a");

    b.openLocalCheckpoint(SCOPE.task(), 1);

    assertThat(scan.hasNext()).isFalse();
    scan.close();
    b.close();
    assertThatThrownBy(() -> b.createKeyValueStore(LISTS, SCOPE, clock))
        .isInstanceOf(StateException.class).hasMessageContaining("closed");
  }

  @Test
  void when_a_store_is_closed_then_it_is_unusable_and_its_data_stays_for_the_next_store_of_that_id() {
    RocksDbStateBackend b = backend(10);
    KeyValueStore<String, List<Long>> s = b.createKeyValueStore(LISTS, SCOPE, clock);
    s.put("a", List.of(1L));
    s.close();
    s.close();
    assertThatThrownBy(() -> s.get("a")).isInstanceOf(StateException.class).hasMessageContaining("closed");
    assertThat(b.createKeyValueStore(LISTS, SCOPE, clock).get("a")).containsExactly(1L);
  }

  @Test
  void when_the_backend_is_created_by_name_then_its_settings_are_read_and_checked() {
    StateBackend b = StateBackendProvider.create("rocksdb", Map.of("state.dir", dir.toString(),
        "block.cache.bytes", "16m", "write.buffer.bytes", "4194304", "write.cache.entries", "50", "background.jobs", "1"));
    try {
      assertThat(b).isInstanceOf(RocksDbStateBackend.class);
      assertThat(b.toString()).contains("blockCache=16777216", "writeBuffer=4194304", "writeCacheEntries=50");
      assertThat(((RocksDbStateBackend) b).stateDir()).isEqualTo(dir);
    } finally {
      ((RocksDbStateBackend) b).close();
    }
    assertThatThrownBy(() -> StateBackendProvider.create("rocksdb", Map.of("state.dir", dir.toString(), "blok.cache.bytes", "1")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("blok.cache.bytes").hasMessageContaining("block.cache.bytes");
    assertThatThrownBy(() -> StateBackendProvider.create("rocksdb", Map.of()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("state.dir");
    assertThatThrownBy(() -> StateBackendProvider.create("rocksdb", Map.of("state.dir", dir.toString(), "block.cache.bytes", "lots")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("block.cache.bytes").hasMessageContaining("lots");
    assertThat(Files.exists(dir)).isTrue();
  }

  @Test
  void when_entries_are_restored_as_bytes_then_they_skip_the_write_cache_and_later_calls_see_them_in_order() {
    // Given: a store with a TTL and a write cache of 10 entries
    RocksDbStateBackend b = backend(10);
    StoreSpec<String, String> spec = StoreSpec.keyValue("restored", Serdes.string(), Serdes.string())
        .withTtl(java.time.Duration.ofHours(1));
    KeyValueStore<String, String> store = b.createKeyValueStore(spec, SCOPE, clock);

    // When: more entries than a batch are restored as bytes, one key twice (the later one wins)
    int n = 25_000;
    for (int i = 0; i < n; i++) {
      assertThat(store.putRestoredSerialized(Serdes.string().serialize("k" + i), Serdes.string().serialize("v" + i),
          Long.MAX_VALUE)).isTrue();
    }
    store.putRestoredSerialized(Serdes.string().serialize("k7"), Serdes.string().serialize("v7-later"), Long.MAX_VALUE);
    long expired = clock.millis() - 1;
    store.putRestoredSerialized(Serdes.string().serialize("gone"), Serdes.string().serialize("x"), expired);

    // Then: reads see every entry, the later write of a key, expiry applied; a put after the restore wins
    assertThat(store.get("k0")).isEqualTo("v0");
    assertThat(store.get("k7")).isEqualTo("v7-later");
    assertThat(store.get("k" + (n - 1))).isEqualTo("v" + (n - 1));
    assertThat(store.get("gone")).isNull();
    store.put("k8", "new");
    store.flush();
    assertThat(store.get("k8")).isEqualTo("new");
    List<String> keys = new ArrayList<>();
    store.forEach((k, v) -> keys.add(k));
    assertThat(keys).hasSize(n);

    // and: with entries in the write cache, bytes are refused (the caller puts objects instead)
    assertThat(store.putRestoredSerialized(Serdes.string().serialize("k8"), Serdes.string().serialize("old"),
        Long.MAX_VALUE)).isFalse();
    assertThat(store.get("k8")).isEqualTo("new");
  }

  @Test
  void when_a_store_is_restored_from_a_snapshot_then_pending_restored_bytes_are_dropped() {
    RocksDbStateBackend b = backend(10);
    KeyValueStore<String, String> store = b.createKeyValueStore(
        StoreSpec.keyValue("replaced", Serdes.string(), Serdes.string()), SCOPE, clock);
    store.putRestoredSerialized(Serdes.string().serialize("pending"), Serdes.string().serialize("p"), Long.MAX_VALUE);

    store.restore(new io.nip.state.StoreSnapshot("replaced", List.of(new io.nip.state.StoreSnapshot.Entry(
        Serdes.string().serialize("snap"), Serdes.string().serialize("s"), Long.MAX_VALUE))));

    assertThat(store.get("pending")).isNull();
    assertThat(store.get("snap")).isEqualTo("s");
  }
}

