package io.nip.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.StateException;
import io.nip.serde.Serdes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyValueStore} does, whatever the backend: reads and writes, TTL on the
 * injected clock, snapshots that restore on any backend, and ordered range and prefix scans.
 */
public abstract class KeyValueStoreContract extends StoreContractSupport {

  /** @return a store named "counts", String to Long */
  protected KeyValueStore<String, Long> store(Duration ttl) {
    return store(backend(), ttl);
  }

  /** @return a store named "counts" of the given backend */
  protected KeyValueStore<String, Long> store(StateBackend backend, Duration ttl) {
    StoreSpec<String, Long> spec = StoreSpec.keyValue("counts", Serdes.string(), Serdes.json(Long.class));
    return track(backend.createKeyValueStore(withTtl(spec, ttl), nextScope(), clock));
  }

  /** @return the live entries */
  protected static Map<String, Long> contents(KeyValueStore<String, Long> s) {
    Map<String, Long> m = new HashMap<>();
    s.forEach(m::put);
    return m;
  }

  private static List<String> keys(StoreIterator<KeyValue<String, Long>> it) {
    return drain(it).stream().map(kv -> kv.key() + "=" + kv.value()).collect(Collectors.toList());
  }

  @Test
  void when_values_are_put_overwritten_and_deleted_then_reads_and_iteration_reflect_them() {
    KeyValueStore<String, Long> s = store(null);
    s.put("a", 1L);
    s.put("b", 2L);
    s.put("a", 3L);
    assertThat(s.get("a")).isEqualTo(3L);
    assertThat(s.getOrDefault("zz", 9L)).isEqualTo(9L);
    assertThat(s.delete("b")).isEqualTo(2L);
    assertThat(s.delete("b")).isNull();
    assertThat(s.get("b")).isNull();
    assertThat(contents(s)).containsOnly(Map.entry("a", 3L));
    assertThat(s.name()).isEqualTo("counts");
  }

  @Test
  void when_the_ttl_passes_then_the_entry_is_invisible_everywhere_and_purged() {
    // Given
    KeyValueStore<String, Long> s = store(Duration.ofSeconds(10));
    s.put("a", 1L);
    clock.advance(Duration.ofSeconds(5));
    s.put("b", 2L);
    clock.advance(Duration.ofMillis(4_999));
    assertThat(s.get("a")).isEqualTo(1L);
    // When: exactly 10 s after "a" was written
    clock.advance(Duration.ofMillis(1));
    // Then
    assertThat(contents(s)).containsOnly(Map.entry("b", 2L));
    assertThat(keys(s.range(null, null))).containsExactly("b=2");
    assertThat(s.purgeExpired()).isEqualTo(1);
    assertThat(s.purgeExpired()).isZero();
    assertThat(s.get("a")).isNull();
    clock.advance(Duration.ofSeconds(5));
    assertThat(s.purgeExpired()).isEqualTo(1);
    assertThat(s.get("b")).isNull();
    assertThat(contents(s)).isEmpty();
  }

  @Test
  void when_an_entry_is_written_again_then_its_ttl_restarts() {
    KeyValueStore<String, Long> s = store(Duration.ofSeconds(10));
    s.put("a", 1L);
    clock.advance(Duration.ofSeconds(8));
    s.put("a", 2L);
    clock.advance(Duration.ofSeconds(8));
    assertThat(s.get("a")).isEqualTo(2L);
    assertThat(s.purgeExpired()).isZero();
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
  void when_a_snapshot_is_restored_into_a_store_then_it_holds_exactly_the_same_entries() {
    // Given
    KeyValueStore<String, Long> s = store(null);
    s.put("a", 1L);
    s.put("b", 22L);
    s.put("c", 3L);
    s.delete("c");
    // When
    StoreSnapshot snap = s.snapshot();
    KeyValueStore<String, Long> restored = store(null);
    restored.put("stale", 0L);
    restored.restore(snap);
    // Then
    assertThat(snap.storeName()).isEqualTo("counts");
    assertThat(snap.entries()).hasSize(2);
    assertThat(contents(restored)).containsOnly(Map.entry("a", 1L), Map.entry("b", 22L));
    assertThat(restored.get("stale")).isNull();
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
  void when_snapshots_move_between_this_backend_and_memory_then_both_hold_the_same_entries() {
    KeyValueStore<String, Long> memory = store(StateBackend.inMemory(), null);
    memory.put("x", 7L);
    memory.put("y", 8L);
    KeyValueStore<String, Long> here = store(null);
    here.restore(memory.snapshot());
    assertThat(contents(here)).containsOnly(Map.entry("x", 7L), Map.entry("y", 8L));
    here.put("z", 9L);
    KeyValueStore<String, Long> back = store(StateBackend.inMemory(), null);
    back.restore(here.snapshot());
    assertThat(contents(back)).containsOnly(Map.entry("x", 7L), Map.entry("y", 8L), Map.entry("z", 9L));
  }

  @Test
  void when_restoring_a_snapshot_of_another_store_then_it_fails_naming_both() {
    KeyValueStore<String, Long> s = store(null);
    StoreSnapshot other = new StoreSnapshot("other", List.of());
    assertThatThrownBy(() -> s.restore(other))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("counts")
        .hasMessageContaining("other");
  }

  @Test
  void when_a_range_is_scanned_then_it_holds_the_keys_between_both_bounds_inclusive_in_byte_order() {
    // Given
    KeyValueStore<String, Long> s = store(null);
    for (String k : List.of("b", "a", "ab", "c", "ba", "d", "B")) {
      s.put(k, (long) k.length());
    }
    s.delete("c");
    // Then
    assertThat(keys(s.range("a", "c"))).containsExactly("a=1", "ab=2", "b=1", "ba=2");
    assertThat(keys(s.range("ab", "b"))).containsExactly("ab=2", "b=1");
    assertThat(keys(s.range(null, "a"))).containsExactly("B=1", "a=1");
    assertThat(keys(s.range("ba", null))).containsExactly("ba=2", "d=1");
    assertThat(keys(s.range(null, null))).containsExactly("B=1", "a=1", "ab=2", "b=1", "ba=2", "d=1");
    assertThat(keys(s.range("x", "z"))).isEmpty();
  }

  @Test
  void when_a_prefix_is_scanned_then_it_holds_the_keys_that_start_with_it_in_byte_order() {
    KeyValueStore<String, Long> s = store(null);
    for (String k : List.of("user1|b", "user1|a", "user10|a", "user1", "user2|a", "use")) {
      s.put(k, 1L);
    }
    assertThat(keys(s.prefixScan("user1|", Serdes.string()))).containsExactly("user1|a=1", "user1|b=1");
    assertThat(keys(s.prefixScan("user1", Serdes.string())))
        .containsExactly("user1=1", "user10|a=1", "user1|a=1", "user1|b=1");
    assertThat(keys(s.prefixScan("zzz", Serdes.string()))).isEmpty();
  }

  @Test
  void when_a_scan_follows_writes_then_it_sees_every_one_of_them() {
    KeyValueStore<String, Long> s = store(null);
    for (int i = 0; i < 50; i++) {
      s.put(String.format("k%03d", i), (long) i);
    }
    s.put("k010", 100L);
    s.delete("k011");
    List<String> seen = keys(s.range("k009", "k012"));
    assertThat(seen).containsExactly("k009=9", "k010=100", "k012=12");
  }
}
