package io.nip.runtime.internal;

import io.nip.serde.Serde;
import io.nip.state.KeyValue;
import io.nip.state.KeyValueStore;
import io.nip.state.StateChangelog;
import io.nip.state.StoreIterator;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A store that remembers which keys were written since the last checkpoint, so that a checkpoint
 * sends only those entries to the changelog (the state of a task is never serialized as a whole).
 *
 * <p>Design: it wraps the backend's store. A key written several times between two checkpoints is
 * sent once, with the value it has at the barrier; a deleted key is sent as a tombstone. It reports
 * that it does not store live objects, so operators that change a value in place put it again —
 * that put is what marks the key, and the object put last is the value sent (kept here until the
 * barrier, so that a durable backend's store, whose cache may have written it out meanwhile, is
 * never read back and deserialized only to be serialized again). Entries applied during a restore
 * bypass the tracking (they are already in the changelog).
 *
 * <p>Over a backend that keeps live objects (the in-memory one without a TTL) the change set is
 * kept next to each key's entry instead ({@link LiveChanges}): putting back the object just read
 * marks the key without a lookup or the backend's own put.
 *
 * <p>Invariant: after {@link #drain} the change set is empty; every write made after it is in the
 * next drain. Threading: confined to the task's thread, like the store it wraps.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class ChangeTrackingStore<K, V> implements KeyValueStore<K, V> {
  private final String storeId;
  private final KeyValueStore<K, V> inner;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final NipClock clock;
  private final long ttlMillis;
  /**
   * Key → the value put last (without a TTL), an {@link Expiring} value (with one), or {@link
   * #DELETED}: a put per record allocates nothing here without a TTL.
   */
  private Map<K, Object> changed = new HashMap<>();
  private static final Object DELETED = new Object();
  /** The change set over a backend whose store hands out the objects it holds, else null. */
  private final LiveChanges<K, V> live;

  /** A value put into a store with a TTL, and when it expires (epoch millis). */
  private record Expiring(Object value, long expiresAtMillis) {}

  ChangeTrackingStore(String storeId, KeyValueStore<K, V> inner, StoreSpec<K, V> spec, NipClock clock) {
    this.storeId = storeId;
    this.inner = inner;
    this.keySerde = spec.keySerde();
    this.valueSerde = spec.valueSerde();
    this.clock = clock;
    this.ttlMillis = spec.ttl() == null ? 0 : spec.ttl().toMillis();
    this.live = ttlMillis == 0 && inner.storesLiveObjects() ? new LiveChanges<>(inner) : null;
  }

  KeyValueStore<K, V> inner() {
    return inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public V get(K key) {
    return live != null ? live.get(key) : inner.get(key);
  }

  @Override
  public void put(K key, V value) {
    if (live != null) {
      live.put(key, value);
      return;
    }
    inner.put(key, value);
    changed.put(key, ttlMillis == 0 ? value : new Expiring(value, clock.millis() + ttlMillis));
  }

  @Override
  public V delete(K key) {
    if (live != null) {
      return live.delete(key);
    }
    V old = inner.delete(key);
    changed.put(key, DELETED);
    return old;
  }

  @Override
  public void forEach(BiConsumer<? super K, ? super V> action) {
    inner.forEach(action);
  }

  /** Reads the backend's store, which holds every write made through this one. */
  @Override
  public StoreIterator<KeyValue<K, V>> range(K from, K to) {
    return inner.range(from, to);
  }

  /** Reads the backend's store, which holds every write made through this one. */
  @Override
  public <P> StoreIterator<KeyValue<K, V>> prefixScan(P prefix, Serde<P> prefixSerde) {
    return inner.prefixScan(prefix, prefixSerde);
  }

  @Override
  public boolean storesLiveObjects() {
    return false;
  }

  @Override
  public long approximateSize() {
    return inner.approximateSize();
  }

  @Override
  public int purgeExpired() {
    // expired entries carry their expiry in the changelog: a restore drops them again by itself
    return inner.purgeExpired();
  }

  @Override
  public StoreSnapshot snapshot() {
    return inner.snapshot();
  }

  @Override
  public void restore(StoreSnapshot snapshot) {
    try {
      inner.restore(snapshot);
    } finally {
      changed.clear();
      if (live != null) {
        live.reload(); // also after a restore that failed part way: the index follows the backend
      }
    }
  }

  @Override
  public void flush() {
    inner.flush();
  }

  @Override
  public void close() {
    inner.close();
    if (live != null) {
      live.clear();
    }
  }

  /** @return true when something changed since the last drain */
  boolean hasChanges() {
    return live != null ? live.hasChanges() : !changed.isEmpty();
  }

  /**
   * Appends this store's changes since the last drain, serialized, and starts a new change set.
   *
   * @param out receives the changes
   */
  void drain(List<StateChangelog.Change> out) {
    if (live != null) {
      live.drain(storeId, keySerde, valueSerde, out);
      return;
    }
    if (changed.isEmpty()) {
      return;
    }
    for (Map.Entry<K, Object> e : changed.entrySet()) {
      byte[] k = keySerde.serialize(e.getKey());
      Object change = e.getValue();
      if (change == DELETED) {
        out.add(new StateChangelog.Change(storeId, k, null, Long.MAX_VALUE));
      } else if (change instanceof Expiring x) {
        // an entry expired by now still goes with its expiry: a restore drops it by itself
        out.add(new StateChangelog.Change(storeId, k, valueSerde.serialize(value(x.value())), x.expiresAtMillis()));
      } else {
        out.add(new StateChangelog.Change(storeId, k, valueSerde.serialize(value(change)), Long.MAX_VALUE));
      }
    }
    // sized for as many keys as this interval changed: the next one usually changes as many
    changed = new HashMap<>(Math.max(16, (int) (changed.size() / 0.75f) + 1));
  }

  @SuppressWarnings("unchecked")
  private static <V> V value(Object o) {
    return (V) o;
  }

  /**
   * Applies one committed change during a restore, without tracking it.
   *
   * @param change the change
   */
  void apply(StateChangelog.Change change) {
    if (live != null) {
      K key = keySerde.deserialize(change.key());
      V value = change.value() == null ? null : valueSerde.deserialize(change.value());
      if (value == null) {
        inner.delete(key);
      } else {
        inner.putRestored(key, value, change.expiresAtMillis());
      }
      live.applied(key, value);
      return;
    }
    if (change.value() != null ? inner.putRestoredSerialized(change.key(), change.value(), change.expiresAtMillis())
        : inner.deleteRestoredSerialized(change.key())) {
      return; // a backend of bytes: no round trip through the objects
    }
    K key = keySerde.deserialize(change.key());
    if (change.value() == null) {
      inner.delete(key);
    } else {
      inner.putRestored(key, valueSerde.deserialize(change.value()), change.expiresAtMillis());
    }
  }
}
