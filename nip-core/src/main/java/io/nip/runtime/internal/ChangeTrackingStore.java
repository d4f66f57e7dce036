package io.nip.runtime.internal;

import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StateChangelog;
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
 * <p>Over a backend that keeps live objects, the put-again after a change in place is a put of the
 * object the backend already maps the key to: the store remembers the key and value of its last
 * read, and a put of exactly that pair (identity) only marks the key, without the backend's own
 * put. Every other write through this store forgets that read.
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
  /** Whether the backend's store hands out the objects it holds (a put-again of one is a no-op). */
  private final boolean innerLive;
  /** The key and value of the last {@link #get} over a live backend, or null. */
  private K lastReadKey;
  private V lastReadValue;

  /** A value put into a store with a TTL, and when it expires (epoch millis). */
  private record Expiring(Object value, long expiresAtMillis) {}

  ChangeTrackingStore(String storeId, KeyValueStore<K, V> inner, StoreSpec<K, V> spec, NipClock clock) {
    this.storeId = storeId;
    this.inner = inner;
    this.keySerde = spec.keySerde();
    this.valueSerde = spec.valueSerde();
    this.clock = clock;
    this.ttlMillis = spec.ttl() == null ? 0 : spec.ttl().toMillis();
    this.innerLive = ttlMillis == 0 && inner.storesLiveObjects();
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
    V value = inner.get(key);
    if (innerLive) {
      lastReadKey = key;
      lastReadValue = value;
    }
    return value;
  }

  @Override
  public void put(K key, V value) {
    if (innerLive) {
      if (value != lastReadValue || key != lastReadKey || value == null) {
        inner.put(key, value);
        lastReadKey = null;
        lastReadValue = null;
      }
      changed.put(key, value);
      return;
    }
    inner.put(key, value);
    changed.put(key, ttlMillis == 0 ? value : new Expiring(value, clock.millis() + ttlMillis));
  }

  @Override
  public V delete(K key) {
    lastReadKey = null;
    lastReadValue = null;
    V old = inner.delete(key);
    changed.put(key, DELETED);
    return old;
  }

  @Override
  public void forEach(BiConsumer<? super K, ? super V> action) {
    inner.forEach(action);
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
    lastReadKey = null;
    lastReadValue = null;
    inner.restore(snapshot);
    changed.clear();
  }

  @Override
  public void flush() {
    inner.flush();
  }

  @Override
  public void close() {
    inner.close();
  }

  /** @return true when something changed since the last drain */
  boolean hasChanges() {
    return !changed.isEmpty();
  }

  /**
   * Appends this store's changes since the last drain, serialized, and starts a new change set.
   *
   * @param out receives the changes
   */
  void drain(List<StateChangelog.Change> out) {
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
    lastReadKey = null;
    lastReadValue = null;
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
