package io.nip.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.StateException;
import io.nip.serde.Serdes;
import io.nip.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-memory store: reads and writes, TTL on a manual clock, snapshot and restore. */
class InMemoryKeyValueStoreTest {
  private static final StateBackend.StoreScope SCOPE = new StateBackend.StoreScope("p", "task-0", "op");
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-17T17:00:00Z"));

  private KeyValueStore<String, Long> store(Duration ttl) {
    StoreSpec<String, Long> spec = StoreSpec.keyValue("counts", Serdes.string(), Serdes.json(Long.class));
    return StateBackend.inMemory().createKeyValueStore(ttl == null ? spec : spec.withTtl(ttl), SCOPE, clock);
  }

  private static Map<String, Long> contents(KeyValueStore<String, Long> s) {
    Map<String, Long> m = new HashMap<>();
    s.forEach(m::put);
    return m;
  }

  @Test
  void when_values_are_put_and_deleted_then_reads_reflect_them() {
    KeyValueStore<String, Long> s = store(null);
    s.put("a", 1L);
    s.put("b", 2L);
    s.put("a", 3L);
    assertThat(s.get("a")).isEqualTo(3L);
    assertThat(s.getOrDefault("zz", 9L)).isEqualTo(9L);
    assertThat(s.delete("b")).isEqualTo(2L);
    assertThat(s.get("b")).isNull();
    assertThat(s.approximateSize()).isEqualTo(1);
    assertThat(s.name()).isEqualTo("counts");
    assertThat(StateBackend.inMemory().name()).isEqualTo("memory");
  }

  @Test
  void when_the_ttl_passes_then_the_entry_is_invisible_and_purged() {
    // Given
    KeyValueStore<String, Long> s = store(Duration.ofSeconds(10));
    s.put("a", 1L);
    clock.advance(Duration.ofSeconds(5));
    s.put("b", 2L);
    // When: 9.999 s after "a" was written
    clock.advance(Duration.ofMillis(4_999));
    // Then
    assertThat(s.get("a")).isEqualTo(1L);
    // When: exactly 10 s after
    clock.advance(Duration.ofMillis(1));
    // Then: "a" expired, "b" lives; expired entries still count until purged
    assertThat(contents(s)).containsOnly(Map.entry("b", 2L));
    assertThat(s.approximateSize()).isEqualTo(2);
    assertThat(s.purgeExpired()).isEqualTo(1);
    assertThat(s.approximateSize()).isEqualTo(1);
    assertThat(s.get("a")).isNull();
    clock.advance(Duration.ofSeconds(5));
    assertThat(s.get("b")).isNull();
    assertThat(s.purgeExpired()).isZero();
  }

  @Test
  void when_an_entry_is_written_again_then_its_ttl_restarts() {
    KeyValueStore<String, Long> s = store(Duration.ofSeconds(10));
    s.put("a", 1L);
    clock.advance(Duration.ofSeconds(8));
    s.put("a", 2L);
    clock.advance(Duration.ofSeconds(8));
    assertThat(s.get("a")).isEqualTo(2L);
  }

  @Test
  void when_a_store_without_ttl_is_purged_then_nothing_is_removed() {
    KeyValueStore<String, Long> s = store(null);
    s.put("a", 1L);
    clock.advance(Duration.ofDays(365));
    assertThat(s.purgeExpired()).isZero();
    assertThat(s.get("a")).isEqualTo(1L);
  }

  @Test
  void when_a_snapshot_is_restored_into_a_new_store_then_it_holds_the_same_entries() {
    // Given
    KeyValueStore<String, Long> s = store(null);
    s.put("a", 1L);
    s.put("b", 22L);
    // When
    StoreSnapshot snap = s.snapshot();
    KeyValueStore<String, Long> restored = store(null);
    restored.put("stale", 0L);
    restored.restore(snap);
    // Then
    assertThat(snap.storeName()).isEqualTo("counts");
    assertThat(snap.entries()).hasSize(2);
    assertThat(contents(restored)).containsOnly(Map.entry("a", 1L), Map.entry("b", 22L));
  }

  @Test
  void when_a_ttl_store_is_snapshotted_then_expired_entries_are_left_out_and_expiry_times_survive() {
    KeyValueStore<String, Long> s = store(Duration.ofSeconds(10));
    s.put("old", 1L);
    clock.advance(Duration.ofSeconds(6));
    s.put("young", 2L);
    clock.advance(Duration.ofSeconds(4));
    StoreSnapshot snap = s.snapshot();
    assertThat(snap.entries()).hasSize(1);
    KeyValueStore<String, Long> restored = store(Duration.ofSeconds(10));
    restored.restore(snap);
    assertThat(restored.get("young")).isEqualTo(2L);
    clock.advance(Duration.ofSeconds(6));
    assertThat(restored.get("young")).isNull();
  }

  @Test
  void when_restoring_a_snapshot_of_another_store_then_it_fails_naming_both() {
    KeyValueStore<String, Long> s = store(null);
    StoreSnapshot other = new StoreSnapshot("other", java.util.List.of());
    assertThatThrownBy(() -> s.restore(other))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("counts")
        .hasMessageContaining("other");
  }
}
