package io.nip.state.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.serde.Serdes;
import io.nip.state.CheckpointStorage;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stores whose checkpoints go to the same Redis: their writes are staged and reach the live keys
 * only in the atomic step that completes the checkpoint claiming them.
 */
class RedisLinkedCheckpointTest {
  static EmbeddedRedis redis;
  static final StoreSpec<String, Long> COUNTS = StoreSpec.keyValue("counts", Serdes.string(), Serdes.json(Long.class));
  static final StateBackend.StoreScope SCOPE = new StateBackend.StoreScope("clicks", "keyed-0-0", "counter");
  static final String BASE = "clicks:clicks:keyed-0-0:counter/counts";
  RedisStateBackend backend;
  CheckpointStorage storage;

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedis.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @BeforeEach
  void setUp() {
    redis.flushAll();
    backend = RedisStateBackend.builder().uri(redis.uri()).cacheSize(0).batchSize(2).build();
    storage = backend.checkpointStorage("clicks");
  }

  @AfterEach
  void tearDown() {
    storage.close();
    backend.close();
  }

  private KeyValueStore<String, Long> store() {
    return backend.createKeyValueStore(COUNTS, SCOPE, NipClock.system());
  }

  /** What a task does at a barrier: snapshot, then hand its part to the storage. */
  private static void barrier(KeyValueStore<?, ?> store, CheckpointStorage storage, long id, String task) {
    StoreSnapshot snap = store.snapshot();
    storage.write(id, task, Integer.toString(snap.entries().size()).getBytes(UTF_8));
  }

  private Map<String, String> live(String base) {
    Map<String, String> out = new HashMap<>();
    for (String k : redis.redis().smembers(base)) {
      String v = redis.redis().get(base + ":" + k);
      if (v != null) {
        out.put(k, v);
      }
    }
    return out;
  }

  @Test
  void writes_reach_the_live_keys_only_with_the_checkpoint_that_claims_them() {
    // Given: a store writing two keys, more than a batch
    KeyValueStore<String, Long> counts = store();
    assertThat(((RedisCheckpointStorage) storage).commitsStoreWrites()).isTrue();
    counts.put("a", 1L);
    counts.put("b", 2L);
    counts.put("c", 3L);
    counts.flush();
    // Then: staged, not live, yet the store reads its own writes (from Redis: no cache)
    assertThat(live(BASE)).isEmpty();
    assertThat(counts.get("a")).isEqualTo(1L);
    // When: the barrier of checkpoint 1, then writes that belong to checkpoint 2
    barrier(counts, storage, 1, "keyed-0-0");
    counts.put("a", 10L);
    counts.delete("b");
    counts.flush();
    storage.complete(1);
    // Then: checkpoint 1's state is live, checkpoint 2's writes are not
    assertThat(live(BASE)).isEqualTo(Map.of("a", "1", "b", "2", "c", "3"));
    assertThat(counts.get("a")).isEqualTo(10L);
    assertThat(counts.get("b")).isNull();
    // When: checkpoint 2
    barrier(counts, storage, 2, "keyed-0-0");
    storage.complete(2);
    // Then
    assertThat(live(BASE)).isEqualTo(Map.of("a", "10", "c", "3"));
    assertThat(redis.redis().keys(BASE + "~staged:*")).isEmpty();
    assertThat(redis.redis().smembers(BASE + "~staged")).isEmpty();
  }

  @Test
  void when_the_process_dies_before_completing_then_a_new_one_sees_the_last_completed_state() {
    // Given: checkpoint 1 completed, checkpoint 2 written but never completed
    KeyValueStore<String, Long> counts = store();
    counts.put("a", 1L);
    barrier(counts, storage, 1, "keyed-0-0");
    storage.complete(1);
    counts.put("a", 2L);
    counts.put("b", 2L);
    barrier(counts, storage, 2, "keyed-0-0");
    counts.put("c", 3L);
    counts.flush();
    assertThat(redis.redis().keys(BASE + "~staged:*")).isNotEmpty();
    // When: another process (another backend) starts on the same Redis
    try (RedisStateBackend next = RedisStateBackend.builder().uri(redis.uri()).build();
        RedisCheckpointStorage nextStorage = next.checkpointStorage("clicks")) {
      assertThat(nextStorage.latestCompleted()).hasValue(1);
      KeyValueStore<String, Long> again = next.createKeyValueStore(COUNTS, SCOPE, NipClock.system());
      // Then: the live keys hold checkpoint 1, the uncommitted writes are gone
      assertThat(live(BASE)).isEqualTo(Map.of("a", "1"));
      assertThat(redis.redis().keys(BASE + "~staged*")).isEmpty();
      assertThat(again.get("a")).isEqualTo(1L);
      assertThat(again.get("b")).isNull();
    }
  }

  @Test
  void a_refused_completion_changes_neither_the_checkpoint_nor_the_live_keys() {
    // Given: checkpoint 1 done, checkpoint 2 staged; then a foreign value where the index must be
    KeyValueStore<String, Long> counts = store();
    counts.put("a", 1L);
    barrier(counts, storage, 1, "keyed-0-0");
    storage.complete(1);
    counts.put("a", 2L);
    barrier(counts, storage, 2, "keyed-0-0");
    redis.redis().rename(BASE, "saved-index");
    redis.redis().set(BASE, "not a set");
    // When
    assertThatThrownBy(() -> storage.complete(2)).isInstanceOf(CheckpointStorage.StorageFailure.class)
        .hasMessageContaining(BASE).hasMessageContaining("nothing was written");
    // Then: nothing moved
    assertThat(storage.latestCompleted()).hasValue(1);
    assertThat(redis.redis().get(BASE + ":a")).isEqualTo("1");
    assertThat(counts.get("a")).isEqualTo(2L);
    // When: the key is repaired, the same checkpoint completes with its writes
    redis.redis().del(BASE);
    redis.redis().rename("saved-index", BASE);
    storage.complete(2);
    assertThat(storage.latestCompleted()).hasValue(2);
    assertThat(live(BASE)).isEqualTo(Map.of("a", "2"));
  }

  @Test
  void a_restore_replaces_the_live_keys_with_the_checkpoint_that_follows_it() {
    // Given: live keys a, b from checkpoint 1
    KeyValueStore<String, Long> counts = store();
    counts.put("a", 1L);
    counts.put("b", 2L);
    barrier(counts, storage, 1, "keyed-0-0");
    storage.complete(1);
    // When: the store is restored from a snapshot holding only c
    KeyValueStore<String, Long> other = StateBackend.inMemory().createKeyValueStore(COUNTS, SCOPE, NipClock.system());
    other.put("c", 3L);
    counts.restore(other.snapshot());
    // Then: reads see the snapshot at once, the live keys only after the next checkpoint
    assertThat(counts.get("a")).isNull();
    assertThat(counts.get("c")).isEqualTo(3L);
    counts.flush();
    assertThat(counts.get("a")).isNull();
    Map<String, Long> seen = new HashMap<>();
    counts.forEach(seen::put);
    assertThat(seen).isEqualTo(Map.of("c", 3L));
    assertThat(live(BASE)).isEqualTo(Map.of("a", "1", "b", "2"));
    barrier(counts, storage, 2, "keyed-0-0");
    storage.complete(2);
    assertThat(live(BASE)).isEqualTo(Map.of("c", "3"));
    assertThat(redis.redis().exists(BASE + ":a")).isZero();
  }

  @Test
  void a_staged_entry_keeps_its_ttl_from_the_put_not_from_the_commit() throws Exception {
    KeyValueStore<String, Long> s = backend.createKeyValueStore(COUNTS.withTtl(Duration.ofMillis(300)), SCOPE,
        NipClock.system());
    s.put("short", 1L);
    KeyValueStore<String, Long> longer = backend.createKeyValueStore(
        StoreSpec.keyValue("long", Serdes.string(), Serdes.json(Long.class)).withTtl(Duration.ofHours(1)), SCOPE,
        NipClock.system());
    longer.put("k", 1L);
    longer.snapshot(); // a task snapshots all its stores, then writes its part
    barrier(s, storage, 1, "keyed-0-0");
    Thread.sleep(400);
    storage.complete(1);
    assertThat(redis.redis().exists(BASE + ":short")).as("expired before its commit").isZero();
    assertThat(redis.redis().scard(BASE)).isZero();
    assertThat(redis.redis().pttl("clicks:clicks:keyed-0-0:counter/long:k")).isBetween(3_590_000L, 3_600_000L);
    assertThat(s.get("short")).isNull();
  }

  @Test
  void stores_of_a_pipeline_that_is_not_linked_write_their_live_keys_directly() {
    KeyValueStore<String, Long> other = backend.createKeyValueStore(COUNTS,
        new StateBackend.StoreScope("other", "keyed-0-0", "counter"), NipClock.system());
    other.put("a", 1L);
    other.flush();
    assertThat(redis.redis().get("other:other:keyed-0-0:counter/counts:a")).isEqualTo("1");
  }

  @Test
  void after_every_completion_the_live_keys_equal_the_completed_snapshots_while_tasks_keep_writing() throws Exception {
    // Given: 4 task threads with a store each, writing at random; after each round's barrier they go
    // on writing (and even take the next barrier) while the coordinator completes the round
    int tasks = 4;
    int rounds = 25;
    List<KeyValueStore<String, Long>> stores = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      stores.add(backend.createKeyValueStore(COUNTS, new StateBackend.StoreScope("clicks", "keyed-0-" + t, "counter"),
          NipClock.system()));
    }
    Map<Long, Map<Integer, Map<String, String>>> expected = new ConcurrentHashMap<>();
    CyclicBarrier written = new CyclicBarrier(tasks + 1);
    ExecutorService pool = Executors.newFixedThreadPool(tasks);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      int task = t;
      running.add(pool.submit(() -> {
        Random random = new Random(task);
        KeyValueStore<String, Long> store = stores.get(task);
        for (long round = 1; round <= rounds; round++) {
          for (int i = 0; i < 20; i++) {
            String key = "k" + random.nextInt(15);
            if (random.nextInt(4) == 0) {
              store.delete(key);
            } else {
              store.put(key, random.nextLong(1000));
            }
          }
          StoreSnapshot snap = store.snapshot();
          Map<String, String> content = new HashMap<>();
          for (StoreSnapshot.Entry e : snap.entries()) {
            content.put(Serdes.string().deserialize(e.key()), new String(e.value(), UTF_8));
          }
          expected.computeIfAbsent(round, r -> new ConcurrentHashMap<>()).put(task, content);
          storage.write(round, "keyed-0-" + task, new byte[] {1});
          written.await(10, TimeUnit.SECONDS);
        }
        return null;
      }));
    }
    // When / Then: the coordinator completes each round as soon as its parts are written
    for (long round = 1; round <= rounds; round++) {
      written.await(10, TimeUnit.SECONDS);
      storage.write(round, "_topology", new byte[] {0});
      storage.complete(round);
      for (int t = 0; t < tasks; t++) {
        assertThat(live("clicks:clicks:keyed-0-" + t + ":counter/counts")).as("task %d after checkpoint %d", t, round)
            .isEqualTo(expected.get(round).get(t));
      }
    }
    for (Future<?> f : running) {
      f.get(10, TimeUnit.SECONDS);
    }
    pool.shutdownNow();
  }
}
