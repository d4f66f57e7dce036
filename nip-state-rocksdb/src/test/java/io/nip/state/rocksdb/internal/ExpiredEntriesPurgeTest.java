package io.nip.state.rocksdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serdes;
import io.nip.state.StateBackend.StoreScope;
import io.nip.state.StoreSpec;
import io.nip.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background-safe purge: phase one (collect expired keys) off the task's thread, phase two
 * (delete what is still expired) on it; a key written again in between survives.
 */
class ExpiredEntriesPurgeTest {
  private static final StoreScope SCOPE = new StoreScope("app", "task-0", "op");
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-17T17:00:00Z"));
  @TempDir
  Path dir;
  private RocksDbEngine engine;

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void when_a_key_is_written_again_between_the_phases_then_it_survives_and_the_others_are_deleted() throws Exception {
    // Given: 1,000 entries with a 10 s TTL, all expired, in RocksDB (cache of 10 entries)
    engine = new RocksDbEngine(dir, 8L << 20, 2L << 20, 10, 1);
    StoreSpec<String, Long> spec = StoreSpec.keyValue("s", Serdes.string(), Serdes.json(Long.class))
        .withTtl(Duration.ofSeconds(10));
    RocksKeyValueStore<String, Long> store = (RocksKeyValueStore<String, Long>) engine.keyValueStore(spec, SCOPE, clock);
    for (int i = 0; i < 1_000; i++) {
      store.put(String.format("k%04d", i), (long) i);
    }
    store.flush();
    clock.advance(Duration.ofSeconds(10));
    long now = clock.millis();
    // When: phase one runs on another thread; meanwhile the task writes two of the keys again
    List<byte[]> expired = CompletableFuture.supplyAsync(() -> store.collectExpired(now, 10_000, null)).get();
    store.put("k0007", 7L);
    store.put("k0500", 500L);
    store.flush();
    store.put("k0900", 900L); // still only in the write cache
    int deleted = store.deleteIfExpired(expired, now);
    // Then
    assertThat(expired).hasSize(1_000);
    assertThat(deleted).isEqualTo(997);
    assertThat(store.get("k0007")).isEqualTo(7L);
    assertThat(store.get("k0500")).isEqualTo(500L);
    assertThat(store.get("k0900")).isEqualTo(900L);
    assertThat(store.get("k0001")).isNull();
    store.flush();
    assertThat(store.collectExpired(now, 10_000, null)).isEmpty();
  }

  @Test
  void when_a_purge_crosses_several_batches_then_every_expired_entry_goes() {
    engine = new RocksDbEngine(dir, 8L << 20, 2L << 20, 0, 1);
    StoreSpec<String, Long> spec = StoreSpec.keyValue("s", Serdes.string(), Serdes.json(Long.class))
        .withTtl(Duration.ofSeconds(10));
    RocksKeyValueStore<String, Long> store = (RocksKeyValueStore<String, Long>) engine.keyValueStore(spec, SCOPE, clock);
    for (int i = 0; i < 25_000; i++) {
      store.put(String.format("k%05d", i), (long) i);
    }
    clock.advance(Duration.ofSeconds(5));
    store.put("young", 1L);
    clock.advance(Duration.ofSeconds(5));

    assertThat(store.purgeExpired()).isEqualTo(25_000);
    assertThat(store.get("young")).isEqualTo(1L);
    assertThat(store.purgeExpired()).isZero();
  }
}
