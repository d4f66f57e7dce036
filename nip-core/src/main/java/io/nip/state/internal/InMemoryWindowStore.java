package io.nip.state.internal;

import io.nip.state.StoreIterator;
import io.nip.state.StoreKeys;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.state.WindowStore;
import io.nip.time.NipClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A window store in two levels of {@link TreeMap}: serialized key (unsigned byte order, the order
 * {@link StoreKeys} gives on disk) to the key's windows by start millisecond. Keys are serialized
 * on every call so that the order matches durable backends exactly; values are kept as objects.
 *
 * <p>Invariants: a key's entry exists only while it has at least one window; without a TTL every
 * slot expires at {@link Long#MAX_VALUE}. Scans copy their matches into a list, so the store may be
 * changed while a scan result is read. Confined to its task's thread: no locking.
 */
final class InMemoryWindowStore<K, V> implements WindowStore<K, V> {
  private final StoreSpec<K, V> spec;
  private final NipClock clock;
  private final long ttlMillis;
  private final TreeMap<byte[], PerKey<K, V>> keys = new TreeMap<>(Arrays::compareUnsigned);

  InMemoryWindowStore(StoreSpec<K, V> spec, NipClock clock) {
    this.spec = spec;
    this.clock = clock;
    this.ttlMillis = spec.ttl() == null ? 0 : spec.ttl().toMillis();
  }

  private static final class PerKey<K, V> {
    final K key;
    final TreeMap<Long, Slot<V>> windows = new TreeMap<>();

    PerKey(K key) {
      this.key = key;
    }
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public void put(K key, Instant windowStart, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    long start = StoreKeys.millis(windowStart);
    keys.computeIfAbsent(spec.keySerde().serialize(key), b -> new PerKey<>(key))
        .windows.put(start, new Slot<>(value, Slot.expiry(clock, ttlMillis)));
  }

  @Override
  public V fetch(K key, Instant windowStart) {
    PerKey<K, V> pk = keys.get(spec.keySerde().serialize(Objects.requireNonNull(key, "key")));
    if (pk == null) {
      return null;
    }
    Slot<V> slot = pk.windows.get(StoreKeys.millis(windowStart));
    return slot == null || !slot.liveAt(now()) ? null : slot.value();
  }

  @Override
  public void delete(K key, Instant windowStart) {
    byte[] k = spec.keySerde().serialize(Objects.requireNonNull(key, "key"));
    PerKey<K, V> pk = keys.get(k);
    if (pk != null) {
      pk.windows.remove(StoreKeys.millis(windowStart));
      if (pk.windows.isEmpty()) {
        keys.remove(k);
      }
    }
  }

  @Override
  public StoreIterator<Entry<K, V>> fetch(K key, Instant from, Instant to) {
    PerKey<K, V> pk = keys.get(spec.keySerde().serialize(Objects.requireNonNull(key, "key")));
    List<Entry<K, V>> out = new ArrayList<>();
    if (pk != null) {
      collect(pk, StoreKeys.millis(from), StoreKeys.millis(to), now(), out);
    }
    return StoreIterator.of(out);
  }

  @Override
  public StoreIterator<Entry<K, V>> fetchAll(Instant from, Instant to) {
    long lo = StoreKeys.millis(from);
    long hi = StoreKeys.millis(to);
    long now = now();
    List<Entry<K, V>> out = new ArrayList<>();
    for (PerKey<K, V> pk : keys.values()) {
      collect(pk, lo, hi, now, out);
    }
    return StoreIterator.of(out);
  }

  private void collect(PerKey<K, V> pk, long lo, long hi, long now, List<Entry<K, V>> out) {
    if (lo > hi) {
      return;
    }
    for (Map.Entry<Long, Slot<V>> w : pk.windows.subMap(lo, true, hi, true).entrySet()) {
      if (w.getValue().liveAt(now)) {
        out.add(new Entry<>(pk.key, Instant.ofEpochMilli(w.getKey()), w.getValue().value()));
      }
    }
  }

  @Override
  public int purgeExpired() {
    if (ttlMillis == 0) {
      return 0;
    }
    long now = now();
    int removed = 0;
    for (Iterator<PerKey<K, V>> keyIt = keys.values().iterator(); keyIt.hasNext(); ) {
      NavigableMap<Long, Slot<V>> windows = keyIt.next().windows;
      for (Iterator<Slot<V>> it = windows.values().iterator(); it.hasNext(); ) {
        if (!it.next().liveAt(now)) {
          it.remove();
          removed++;
        }
      }
      if (windows.isEmpty()) {
        keyIt.remove();
      }
    }
    return removed;
  }

  @Override
  public StoreSnapshot snapshot() {
    long now = now();
    List<StoreSnapshot.Entry> entries = new ArrayList<>();
    for (Map.Entry<byte[], PerKey<K, V>> k : keys.entrySet()) {
      for (Map.Entry<Long, Slot<V>> w : k.getValue().windows.entrySet()) {
        Slot<V> slot = w.getValue();
        if (slot.liveAt(now)) {
          entries.add(new StoreSnapshot.Entry(StoreKeys.window(k.getKey(), Instant.ofEpochMilli(w.getKey())),
              spec.valueSerde().serialize(slot.value()), slot.expiresAt()));
        }
      }
    }
    return new StoreSnapshot(spec.name(), entries);
  }

  @Override
  public void restore(StoreSnapshot snapshot) {
    Slot.requireSameStore(spec.name(), snapshot);
    keys.clear();
    for (StoreSnapshot.Entry e : snapshot.entries()) {
      byte[] k = StoreKeys.key(e.key());
      PerKey<K, V> pk = keys.computeIfAbsent(k, b -> new PerKey<>(spec.keySerde().deserialize(b)));
      pk.windows.put(StoreKeys.millis(StoreKeys.windowStart(e.key())),
          new Slot<>(spec.valueSerde().deserialize(e.value()), e.expiresAtMillis()));
    }
  }

  private long now() {
    return ttlMillis == 0 ? Long.MIN_VALUE : clock.millis();
  }

  @Override
  public void close() {
    keys.clear();
  }
}
