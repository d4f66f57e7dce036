package io.nip.state.internal;

import io.nip.errors.StateException;
import io.nip.serde.Serde;
import io.nip.state.KeyValue;
import io.nip.state.KeyValueStore;
import io.nip.state.StoreIterator;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A HashMap-backed store. Without a TTL it stores values directly; with a TTL each value is wrapped
 * with its expiry time, checked lazily on reads and purged by {@link #purgeExpired()}. Range and
 * prefix scans serialize every key, keep the matches and sort them by serialized bytes, so they
 * come back in the same order as from a durable backend, at O(n log n) per scan: fine for tests
 * and small stores. Confined to its task's thread: no locking.
 */
final class InMemoryKeyValueStore<K, V> implements KeyValueStore<K, V> {
  private final StoreSpec<K, V> spec;
  private final NipClock clock;
  private final long ttlMillis;
  private final Map<K, Object> map = new HashMap<>();

  InMemoryKeyValueStore(StoreSpec<K, V> spec, NipClock clock) {
    this.spec = spec;
    this.clock = clock;
    this.ttlMillis = spec.ttl() == null ? 0 : spec.ttl().toMillis();
  }

  private record Expiring(Object value, long expiresAt) {}

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  @SuppressWarnings("unchecked")
  public V get(K key) {
    Object raw = map.get(Objects.requireNonNull(key, "key"));
    if (raw == null || ttlMillis == 0) {
      return (V) raw;
    }
    Expiring e = (Expiring) raw;
    if (e.expiresAt <= clock.millis()) {
      map.remove(key);
      return null;
    }
    return (V) e.value;
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    map.put(key, ttlMillis == 0 ? value : new Expiring(value, clock.millis() + ttlMillis));
  }

  @Override
  public void putRestored(K key, V value, long expiresAtMillis) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (ttlMillis == 0) {
      map.put(key, value);
    } else if (expiresAtMillis > clock.millis()) {
      map.put(key, new Expiring(value, expiresAtMillis));
    } else {
      map.remove(key);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public V delete(K key) {
    Object raw = map.remove(key);
    return raw instanceof Expiring ? (V) ((Expiring) raw).value : (V) raw;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    long now = ttlMillis == 0 ? 0 : clock.millis();
    for (Map.Entry<K, Object> e : map.entrySet()) {
      Object raw = e.getValue();
      if (ttlMillis == 0) {
        action.accept(e.getKey(), (V) raw);
      } else if (((Expiring) raw).expiresAt > now) {
        action.accept(e.getKey(), (V) ((Expiring) raw).value);
      }
    }
  }

  @Override
  public StoreIterator<KeyValue<K, V>> range(K from, K to) {
    byte[] lo = from == null ? null : spec.keySerde().serialize(from);
    byte[] hi = to == null ? null : spec.keySerde().serialize(to);
    return scan(k -> (lo == null || Arrays.compareUnsigned(k, lo) >= 0)
        && (hi == null || Arrays.compareUnsigned(k, hi) <= 0));
  }

  @Override
  public <P> StoreIterator<KeyValue<K, V>> prefixScan(P prefix, Serde<P> prefixSerde) {
    byte[] p = Objects.requireNonNull(prefixSerde, "prefixSerde").serialize(Objects.requireNonNull(prefix, "prefix"));
    return scan(k -> k.length >= p.length && Arrays.equals(k, 0, p.length, p, 0, p.length));
  }

  private record Match<K, V>(byte[] bytes, KeyValue<K, V> entry) {}

  private StoreIterator<KeyValue<K, V>> scan(java.util.function.Predicate<byte[]> keep) {
    List<Match<K, V>> matches = new ArrayList<>();
    forEach((k, v) -> {
      byte[] bytes = spec.keySerde().serialize(k);
      if (keep.test(bytes)) {
        matches.add(new Match<>(bytes, new KeyValue<>(k, v)));
      }
    });
    matches.sort(Comparator.comparing(Match::bytes, Arrays::compareUnsigned));
    List<KeyValue<K, V>> out = new ArrayList<>(matches.size());
    for (Match<K, V> m : matches) {
      out.add(m.entry());
    }
    return StoreIterator.of(out);
  }

  @Override
  public boolean storesLiveObjects() {
    return ttlMillis == 0;
  }

  @Override
  public long approximateSize() {
    return map.size();
  }

  @Override
  public int purgeExpired() {
    if (ttlMillis == 0) {
      return 0;
    }
    long now = clock.millis();
    int removed = 0;
    for (Iterator<Object> it = map.values().iterator(); it.hasNext(); ) {
      if (((Expiring) it.next()).expiresAt <= now) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  @Override
  @SuppressWarnings("unchecked")
  public StoreSnapshot snapshot() {
    List<StoreSnapshot.Entry> entries = new ArrayList<>(map.size());
    long now = clock.millis();
    for (Map.Entry<K, Object> e : map.entrySet()) {
      Object raw = e.getValue();
      long expiresAt = Long.MAX_VALUE;
      V value;
      if (ttlMillis == 0) {
        value = (V) raw;
      } else {
        Expiring x = (Expiring) raw;
        if (x.expiresAt <= now) {
          continue;
        }
        expiresAt = x.expiresAt;
        value = (V) x.value;
      }
      entries.add(new StoreSnapshot.Entry(
          spec.keySerde().serialize(e.getKey()), spec.valueSerde().serialize(value), expiresAt));
    }
    return new StoreSnapshot(spec.name(), entries);
  }

  @Override
  public void restore(StoreSnapshot snapshot) {
    if (!snapshot.storeName().equals(spec.name())) {
      throw new StateException("cannot restore store '" + spec.name() + "' from a snapshot of '"
          + snapshot.storeName() + "'");
    }
    map.clear();
    for (StoreSnapshot.Entry e : snapshot.entries()) {
      K key = spec.keySerde().deserialize(e.key());
      V value = spec.valueSerde().deserialize(e.value());
      map.put(key, ttlMillis == 0 ? value : new Expiring(value, e.expiresAtMillis()));
    }
  }

  @Override
  public void close() {
    map.clear();
  }
}
