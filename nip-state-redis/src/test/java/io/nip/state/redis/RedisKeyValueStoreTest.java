package io.nip.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.StateException;
import io.nip.serde.Serdes;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.time.ManualClock;
import io.nip.time.NipClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store on a real Redis, without checkpoints in Redis (each batch goes to the live keys). */
class RedisKeyValueStoreTest {
  static EmbeddedRedis redis;
  RedisStateBackend backend;
  static final StateBackend.StoreScope SCOPE = new StateBackend.StoreScope("clicks", "keyed-0-0", "counter");
  static final StoreSpec<String, Long> COUNTS = StoreSpec.keyValue("counts", Serdes.string(), Serdes.json(Long.class));

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
    backend = RedisStateBackend.builder().uri(redis.uri()).batchSize(3).build();
  }

  @AfterEach
  void tearDown() {
    backend.close();
  }

  private <V> KeyValueStore<String, V> store(StoreSpec<String, V> spec) {
    return backend.createKeyValueStore(spec, SCOPE, NipClock.system());
  }

  @Test
  void when_values_are_put_and_flushed_then_each_is_one_redis_key_under_the_documented_layout() {
    // Given
    KeyValueStore<String, Long> counts = store(COUNTS);
    // When
    counts.put("alice", 3L);
    counts.put("bob", 5L);
    counts.flush();
    // Then
    assertThat(redis.redis().get("clicks:clicks:keyed-0-0:counter/counts:alice")).isEqualTo("3");
    assertThat(redis.redis().get("clicks:clicks:keyed-0-0:counter/counts:bob")).isEqualTo("5");
    assertThat(redis.redis().smembers("clicks:clicks:keyed-0-0:counter/counts")).containsExactlyInAnyOrder("alice", "bob");
    assertThat(redis.redis().ttl("clicks:clicks:keyed-0-0:counter/counts:alice")).isEqualTo(-1L);
  }

  @Test
  void when_the_batch_is_full_then_the_writes_reach_redis_without_a_flush() {
    KeyValueStore<String, Long> counts = store(COUNTS);
    counts.put("a", 1L);
    counts.put("b", 2L);
    assertThat(redis.redis().exists("clicks:clicks:keyed-0-0:counter/counts:a")).isZero();
    counts.put("c", 3L); // batch size 3
    assertThat(redis.redis().mget("clicks:clicks:keyed-0-0:counter/counts:a", "clicks:clicks:keyed-0-0:counter/counts:b",
        "clicks:clicks:keyed-0-0:counter/counts:c")).extracting(kv -> kv.getValue()).containsExactly("1", "2", "3");
  }

  @Test
  void crud_reads_its_own_buffered_writes_and_a_new_store_reads_them_from_redis() {
    // Given: writes, some buffered, one deleted
    KeyValueStore<String, Long> counts = store(COUNTS);
    counts.put("a", 1L);
    counts.put("b", 2L);
    counts.put("a", 10L);
    assertThat(counts.get("a")).isEqualTo(10L);
    assertThat(counts.delete("b")).isEqualTo(2L);
    assertThat(counts.get("b")).isNull();
    assertThat(counts.getOrDefault("zzz", 7L)).isEqualTo(7L);
    counts.put("c", 3L);
    counts.close();
    // When: another instance without cache reads them back
    RedisStateBackend uncached = RedisStateBackend.builder().uri(redis.uri()).cacheSize(0).build();
    try {
      KeyValueStore<String, Long> again = uncached.createKeyValueStore(COUNTS, SCOPE, NipClock.system());
      // Then
      assertThat(again.get("a")).isEqualTo(10L);
      assertThat(again.get("b")).isNull();
      assertThat(again.get("c")).isEqualTo(3L);
      Map<String, Long> all = new HashMap<>();
      again.forEach(all::put);
      assertThat(all).isEqualTo(Map.of("a", 10L, "c", 3L));
      assertThat(again.approximateSize()).isEqualTo(2);
      assertThat(again.delete("a")).isEqualTo(10L);
      again.flush();
      assertThat(redis.redis().exists("clicks:clicks:keyed-0-0:counter/counts:a")).isZero();
      assertThat(redis.redis().smembers("clicks:clicks:keyed-0-0:counter/counts")).containsExactly("c");
    } finally {
      uncached.close();
    }
  }

  @Test
  void stores_of_other_tasks_operators_and_prefixes_do_not_meet() {
    KeyValueStore<String, Long> a = store(COUNTS);
    KeyValueStore<String, Long> b = backend.createKeyValueStore(COUNTS,
        new StateBackend.StoreScope("clicks", "keyed-0-1", "counter"), NipClock.system());
    RedisStateBackend prefixed = RedisStateBackend.builder().uri(redis.uri()).keyPrefix("prod").build();
    try {
      KeyValueStore<String, Long> c = prefixed.createKeyValueStore(COUNTS, SCOPE, NipClock.system());
      a.put("k", 1L);
      b.put("k", 2L);
      c.put("k", 3L);
      a.flush();
      b.flush();
      c.flush();
      assertThat(redis.redis().get("clicks:clicks:keyed-0-0:counter/counts:k")).isEqualTo("1");
      assertThat(redis.redis().get("clicks:clicks:keyed-0-1:counter/counts:k")).isEqualTo("2");
      assertThat(redis.redis().get("prod:clicks:keyed-0-0:counter/counts:k")).isEqualTo("3");
    } finally {
      prefixed.close();
    }
  }

  @Test
  void when_a_store_has_a_ttl_then_redis_expires_each_entry_on_the_wall_clock() throws Exception {
    // Given: a TTL of 400 ms on a pipeline clock that stands still (virtual time)
    ManualClock frozen = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    KeyValueStore<String, Long> sessions = backend.createKeyValueStore(
        COUNTS.withTtl(Duration.ofMillis(400)), SCOPE, frozen);
    sessions.put("alice", 1L);
    sessions.flush();
    long pttl = redis.redis().pttl("clicks:clicks:keyed-0-0:counter/counts:alice");
    assertThat(pttl).isBetween(1L, 400L);
    assertThat(sessions.get("alice")).isEqualTo(1L);
    // When: the wall clock passes the TTL
    Thread.sleep(600);
    // Then: Redis expired it, the store says absent, and the index is tidied by purgeExpired
    assertThat(redis.redis().exists("clicks:clicks:keyed-0-0:counter/counts:alice")).isZero();
    assertThat(sessions.get("alice")).isNull();
    assertThat(sessions.purgeExpired()).isEqualTo(1);
    assertThat(redis.redis().scard("clicks:clicks:keyed-0-0:counter/counts")).isZero();
    Map<String, Long> all = new HashMap<>();
    sessions.forEach(all::put);
    assertThat(all).isEmpty();
  }

  @Test
  void a_put_renews_the_ttl() throws Exception {
    KeyValueStore<String, Long> s = store(COUNTS.withTtl(Duration.ofMillis(500)));
    s.put("k", 1L);
    s.flush();
    Thread.sleep(300);
    s.put("k", 2L);
    s.flush();
    Thread.sleep(300);
    assertThat(redis.redis().get("clicks:clicks:keyed-0-0:counter/counts:k")).isEqualTo("2");
    RedisStateBackend uncached = RedisStateBackend.builder().uri(redis.uri()).cacheSize(0).build();
    try {
      assertThat(uncached.createKeyValueStore(COUNTS.withTtl(Duration.ofMillis(500)), SCOPE, NipClock.system())
          .get("k")).isEqualTo(2L);
    } finally {
      uncached.close();
    }
  }

  @Test
  void a_snapshot_restores_into_another_store_with_the_remaining_ttl_and_replaces_its_content() {
    // Given: a store with plain and expiring entries
    StoreSpec<String, Long> spec = COUNTS.withTtl(Duration.ofHours(1));
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    KeyValueStore<String, Long> source = backend.createKeyValueStore(spec, SCOPE, clock);
    for (int i = 0; i < 10; i++) {
      source.put("k" + i, (long) i);
    }
    StoreSnapshot snap = source.snapshot();
    assertThat(snap.entries()).hasSize(10);
    assertThat(snap.entries()).allSatisfy(e -> assertThat(e.expiresAtMillis())
        .isBetween(clock.millis() + 3_500_000, clock.millis() + 3_600_000));
    // and a target store holding other keys
    KeyValueStore<String, Long> target = backend.createKeyValueStore(spec,
        new StateBackend.StoreScope("clicks", "keyed-0-1", "counter"), clock);
    target.put("stale", 99L);
    target.flush();
    // When
    target.restore(snap);
    // Then: the target reads the snapshot, before and after its writes reach Redis
    assertThat(target.get("stale")).isNull();
    assertThat(target.get("k7")).isEqualTo(7L);
    target.flush();
    assertThat(redis.redis().exists("clicks:clicks:keyed-0-1:counter/counts:stale")).isZero();
    assertThat(redis.redis().smembers("clicks:clicks:keyed-0-1:counter/counts")).hasSize(10).doesNotContain("stale");
    assertThat(redis.redis().pttl("clicks:clicks:keyed-0-1:counter/counts:k3")).isBetween(3_500_000L, 3_600_000L);
  }

  @Test
  void snapshots_move_between_the_in_memory_and_the_redis_backend() {
    KeyValueStore<String, Long> memory = StateBackend.inMemory().createKeyValueStore(COUNTS, SCOPE, NipClock.system());
    memory.put("x", 1L);
    memory.put("y", 2L);
    KeyValueStore<String, Long> remote = store(COUNTS);
    remote.restore(memory.snapshot());
    remote.put("z", 3L);
    KeyValueStore<String, Long> back = StateBackend.inMemory().createKeyValueStore(COUNTS, SCOPE, NipClock.system());
    back.restore(remote.snapshot());
    Map<String, Long> all = new HashMap<>();
    back.forEach(all::put);
    assertThat(all).isEqualTo(Map.of("x", 1L, "y", 2L, "z", 3L));
  }

  @Test
  void when_a_store_key_holds_something_else_then_writing_fails_naming_it_and_changes_nothing() {
    redis.redis().hset("clicks:clicks:keyed-0-0:counter/counts", "not", "a set");
    KeyValueStore<String, Long> counts = store(COUNTS);
    counts.put("a", 1L);
    assertThatThrownBy(counts::flush).isInstanceOf(StateException.class)
        .hasMessageContaining("clicks:clicks:keyed-0-0:counter/counts").hasMessageContaining("hash");
    assertThat(redis.redis().exists("clicks:clicks:keyed-0-0:counter/counts:a")).isZero();
    assertThat(counts.get("a")).as("the buffer is kept").isEqualTo(1L);
  }

  @Test
  void values_are_serialized_so_a_changed_value_must_be_put_again() {
    StoreSpec<String, List<String>> spec = StoreSpec.keyValue("lists", Serdes.string(),
        Serdes.json(new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {}));
    KeyValueStore<String, List<String>> lists = store(spec);
    assertThat(lists.storesLiveObjects()).isFalse();
    lists.put("k", List.of("a", "b"));
    lists.flush();
    assertThat(redis.redis().get("clicks:clicks:keyed-0-0:counter/lists:k")).isEqualTo("[\"a\",\"b\"]");
  }
}
