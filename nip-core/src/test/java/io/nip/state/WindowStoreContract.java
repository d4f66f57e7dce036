package io.nip.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.StateException;
import io.nip.serde.Serdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WindowStore} does, whatever the backend: point reads and writes, ordered scans
 * of one key and of a time range (checked against a brute-force sort for keys full of zero bytes
 * and prefixes of each other), TTL on the injected clock, and snapshots that restore anywhere.
 */
public abstract class WindowStoreContract extends StoreContractSupport {

  /** @return a window store named "windows", String to Long */
  protected WindowStore<String, Long> store(StateBackend backend, Duration ttl) {
    StoreSpec<String, Long> spec = StoreSpec.of("windows", Serdes.string(), Serdes.json(Long.class));
    return track(backend.createWindowStore(withTtl(spec, ttl), nextScope(), clock));
  }

  /** @return a window store of this backend */
  protected WindowStore<String, Long> store(Duration ttl) {
    return store(backend(), ttl);
  }

  private static List<String> fmt(StoreIterator<WindowStore.Entry<String, Long>> it) {
    return drain(it).stream().map(e -> e.key() + "@" + e.start().toEpochMilli() + "=" + e.value())
        .collect(Collectors.toList());
  }

  @Test
  void when_windows_are_put_overwritten_and_deleted_then_fetch_reflects_them() {
    WindowStore<String, Long> s = store(null);
    s.put("a", at(0), 1L);
    s.put("a", at(60_000), 2L);
    s.put("a", at(0), 3L);
    s.put("b", at(0), 4L);
    assertThat(s.fetch("a", at(0))).isEqualTo(3L);
    assertThat(s.fetch("a", at(60_000))).isEqualTo(2L);
    assertThat(s.fetch("a", at(1))).isNull();
    assertThat(s.fetch("c", at(0))).isNull();
    s.delete("a", at(0));
    s.delete("a", at(5));
    assertThat(s.fetch("a", at(0))).isNull();
    assertThat(s.fetch("b", at(0))).isEqualTo(4L);
    assertThat(s.name()).isEqualTo("windows");
  }

  @Test
  void when_a_keys_windows_are_fetched_then_they_come_in_start_order_within_inclusive_bounds() {
    // Given: windows of "a" before and after the epoch, and of keys that extend "a"
    WindowStore<String, Long> s = store(null);
    for (long start : new long[] {300, -200, 100, 0, 200, -100}) {
      s.put("a", at(start), start);
    }
    s.put("ab", at(100), 7L);
    s.put("", at(100), 8L);
    s.put("b", at(100), 9L);
    // Then
    assertThat(fmt(s.fetch("a", at(-100), at(200)))).containsExactly("a@-100=-100", "a@0=0", "a@100=100", "a@200=200");
    assertThat(fmt(s.fetch("a", Instant.MIN, Instant.MAX)))
        .containsExactly("a@-200=-200", "a@-100=-100", "a@0=0", "a@100=100", "a@200=200", "a@300=300");
    assertThat(fmt(s.fetch("a", at(101), at(199)))).isEmpty();
    assertThat(fmt(s.fetch("a", at(200), at(100)))).isEmpty();
    assertThat(fmt(s.fetch("zz", Instant.MIN, Instant.MAX))).isEmpty();
    assertThat(fmt(s.fetch("", Instant.MIN, Instant.MAX))).containsExactly("@100=8");
  }

  @Test
  void when_all_windows_of_a_time_range_are_fetched_then_they_come_by_key_bytes_then_start() {
    // Given: byte keys full of zeros and prefixes of each other, windows at random starts
    StoreSpec<byte[], Long> spec = StoreSpec.of("raw", Serdes.bytes(), Serdes.json(Long.class));
    WindowStore<byte[], Long> s = track(backend().createWindowStore(spec, nextScope(), clock));
    byte[][] keys = {{}, {0}, {0, 0}, {0, 1}, {1}, {1, 0}, {(byte) 0xFF}, {(byte) 0xFF, 0}, {0x61}, {0x61, 0x62}};
    Random random = new Random(42);
    List<String> expected = new ArrayList<>();
    record Row(byte[] key, long start) {}
    List<Row> rows = new ArrayList<>();
    for (byte[] k : keys) {
      for (int i = 0; i < 6; i++) {
        long start = (random.nextInt(2001) - 1000) * 1000L;
        if (rows.stream().noneMatch(r -> Arrays.equals(r.key, k) && r.start == start)) {
          rows.add(new Row(k, start));
          s.put(k, at(start), start);
        }
      }
    }
    rows.sort(Comparator.<Row, byte[]>comparing(r -> r.key, Arrays::compareUnsigned).thenComparingLong(r -> r.start));
    for (Row r : rows) {
      if (r.start >= -500_000 && r.start <= 500_000) {
        expected.add(hex(r.key) + "@" + r.start);
      }
    }
    // When
    List<String> actual = drain(s.fetchAll(at(-500_000), at(500_000))).stream()
        .map(e -> hex(e.key()) + "@" + e.start().toEpochMilli()).collect(Collectors.toList());
    // Then
    assertThat(actual).containsExactlyElementsOf(expected);
    assertThat(drain(s.fetchAll(Instant.MIN, Instant.MAX))).hasSize(rows.size());
    assertThat(drain(s.fetch(new byte[] {0}, Instant.MIN, Instant.MAX)))
        .allSatisfy(e -> assertThat(e.key()).containsExactly(0));
  }

  @Test
  void when_the_ttl_passes_then_windows_are_invisible_and_purged() {
    WindowStore<String, Long> s = store(Duration.ofSeconds(10));
    s.put("a", at(0), 1L);
    clock.advance(Duration.ofSeconds(5));
    s.put("a", at(60_000), 2L);
    s.put("b", at(0), 3L);
    clock.advance(Duration.ofSeconds(5));
    assertThat(s.fetch("a", at(0))).isNull();
    assertThat(fmt(s.fetch("a", Instant.MIN, Instant.MAX))).containsExactly("a@60000=2");
    assertThat(fmt(s.fetchAll(Instant.MIN, Instant.MAX))).containsExactly("a@60000=2", "b@0=3");
    assertThat(s.purgeExpired()).isEqualTo(1);
    s.put("b", at(0), 4L);
    clock.advance(Duration.ofSeconds(5));
    assertThat(s.purgeExpired()).isEqualTo(1);
    assertThat(fmt(s.fetchAll(Instant.MIN, Instant.MAX))).containsExactly("b@0=4");
  }

  @Test
  void when_a_store_without_ttl_is_purged_then_nothing_is_removed() {
    WindowStore<String, Long> s = store(null);
    s.put("a", at(0), 1L);
    clock.advance(Duration.ofDays(365));
    assertThat(s.purgeExpired()).isZero();
    assertThat(s.fetch("a", at(0))).isEqualTo(1L);
  }

  @Test
  void when_a_snapshot_is_restored_then_the_store_holds_the_same_windows_and_expiry_times() {
    WindowStore<String, Long> s = store(Duration.ofSeconds(10));
    s.put("a", at(-60_000), 1L);
    s.put("a\u0000", at(0), 2L);
    clock.advance(Duration.ofSeconds(5));
    s.put("b", at(0), 3L);
    StoreSnapshot snap = s.snapshot();
    WindowStore<String, Long> restored = store(Duration.ofSeconds(10));
    restored.put("stale", at(0), 0L);
    restored.restore(snap);
    assertThat(fmt(restored.fetchAll(Instant.MIN, Instant.MAX)))
        .containsExactly("a@-60000=1", "a\u0000@0=2", "b@0=3");
    clock.advance(Duration.ofSeconds(5));
    assertThat(fmt(restored.fetchAll(Instant.MIN, Instant.MAX))).containsExactly("b@0=3");
  }

  @Test
  void when_snapshots_move_between_this_backend_and_memory_then_both_hold_the_same_windows() {
    WindowStore<String, Long> memory = store(StateBackend.inMemory(), null);
    memory.put("x", at(0), 1L);
    memory.put("x", at(-5), 2L);
    memory.put("y", at(7), 3L);
    WindowStore<String, Long> here = store(null);
    here.restore(memory.snapshot());
    assertThat(fmt(here.fetchAll(Instant.MIN, Instant.MAX))).containsExactly("x@-5=2", "x@0=1", "y@7=3");
    here.delete("x", at(0));
    WindowStore<String, Long> back = store(StateBackend.inMemory(), null);
    back.restore(here.snapshot());
    assertThat(fmt(back.fetchAll(Instant.MIN, Instant.MAX))).containsExactly("x@-5=2", "y@7=3");
  }

  @Test
  void when_restoring_a_snapshot_of_another_store_then_it_fails_naming_both() {
    WindowStore<String, Long> s = store(null);
    assertThatThrownBy(() -> s.restore(new StoreSnapshot("other", List.of())))
        .isInstanceOf(StateException.class).hasMessageContaining("windows").hasMessageContaining("other");
  }
}
