package io.nip.state.redis.internal;

import io.nip.errors.StateException;
import io.nip.state.KeyValueStore;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A key-value store whose entries are Redis keys (one string key per entry, so that each has its
 * own expiry), with a write buffer and a small read cache on the task's side.
 *
 * <p>Why this shape: the task owns its keys (no other writer), so what it wrote or read is still
 * true later and can be served from memory; Redis is asked only for keys not in the cache. Writes
 * are buffered in insertion order and sent in batches of {@code batchSize} (one round trip each)
 * and on {@link #flush()}; a key written twice before a flush is sent once.
 *
 * <p>Invariants: a key in {@code pending} holds its newest write (a value, or null for a delete)
 * and is read from there first; {@code cache} never contradicts Redis plus {@code pending} for an
 * unexpired entry; after a restore, {@code clearPending} says the store must be emptied before the
 * pending writes, and keys not in {@code pending} read as absent until then. TTL: an entry's
 * deadline is the wall-clock time of its put plus the spec's TTL; Redis enforces it (PX) and the
 * task side never serves an entry past it. The {@link NipClock} is used only to translate
 * deadlines to and from the {@code expiresAtMillis} of snapshots.
 *
 * <p>Threading: confined to the task's thread, like every store.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class RedisKeyValueStore<K, V> implements KeyValueStore<K, V> {
  private final StoreSpec<K, V> spec;
  private final Remote remote;
  private final NipClock clock;
  private final Clock wallClock;
  private final long ttlMillis;
  private final int batchSize;
  private final LinkedHashMap<K, Write<V>> pending = new LinkedHashMap<>();
  private final Cache<K, V> cache;
  private boolean clearPending;

  /** A buffered write: the value (null for a delete), its bytes and its deadline. */
  private record Write<V>(V value, byte[] bytes, long deadline) {}

  /** Created by {@link RedisBackendCore#createStore}. */
  RedisKeyValueStore(StoreSpec<K, V> spec, Remote remote, NipClock clock, Clock wallClock, int batchSize,
      int cacheSize) {
    this.spec = spec;
    this.remote = remote;
    this.clock = clock;
    this.wallClock = wallClock;
    this.ttlMillis = spec.ttl() == null ? 0 : spec.ttl().toMillis();
    this.batchSize = batchSize;
    this.cache = new Cache<>(cacheSize);
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    long now = wallClock.millis();
    Write<V> w = pending.get(key);
    if (w != null) {
      return w.deadline > now ? w.value : null;
    }
    Cache.Entry<V> c = cache.get(key);
    if (c != null && c.deadline() > now) {
      return c.value();
    }
    if (clearPending) {
      return null;
    }
    Remote.Value v = remote.read(spec.keySerde().serialize(key));
    if (v == null) {
      cache.put(key, null, Long.MAX_VALUE);
      return null;
    }
    V value = spec.valueSerde().deserialize(v.bytes());
    cache.put(key, value, v.deadline());
    return value;
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    long deadline = ttlMillis == 0 ? Long.MAX_VALUE : wallClock.millis() + ttlMillis;
    buffer(key, new Write<>(value, spec.valueSerde().serialize(value), deadline));
  }

  @Override
  public V delete(K key) {
    V old = get(key);
    buffer(key, new Write<>(null, null, Long.MAX_VALUE));
    return old;
  }

  private void buffer(K key, Write<V> w) {
    pending.put(key, w);
    cache.put(key, w.value, w.deadline);
    if (pending.size() >= batchSize) {
      flush();
    }
  }

  /**
   * Sends the buffered writes: to the live keys, or, when the store's checkpoints go to the same
   * Redis, to the open staging epoch.
   *
   * @throws StateException when Redis refused them (the buffer is kept)
   */
  @Override
  public void flush() {
    if (pending.isEmpty() && !clearPending) {
      return;
    }
    List<byte[]> batch = new ArrayList<>(pending.size() * 2);
    for (Map.Entry<K, Write<V>> e : pending.entrySet()) {
      Write<V> w = e.getValue();
      batch.add(Op.field(spec.keySerde().serialize(e.getKey())));
      batch.add(w.value == null ? Op.delete() : Op.put(w.bytes, w.deadline));
    }
    remote.write(clearPending, batch);
    pending.clear();
    clearPending = false;
  }

  @Override
  public void forEach(BiConsumer<? super K, ? super V> action) {
    flush();
    long now = wallClock.millis();
    for (Map.Entry<Remote.Key, Remote.Value> e : remote.enumerate().entrySet()) {
      if (e.getValue().deadline() > now) {
        action.accept(spec.keySerde().deserialize(e.getKey().bytes()),
            spec.valueSerde().deserialize(e.getValue().bytes()));
      }
    }
  }

  /** @return false: values are serialized, so a value changed after {@link #put} must be put again */
  @Override
  public boolean storesLiveObjects() {
    return false;
  }

  @Override
  public long approximateSize() {
    flush();
    return remote.approximateSize();
  }

  /**
   * Redis removes expired entries itself; this drops them from the task-side cache and removes a
   * bounded number of expired keys from the store's index.
   *
   * @return how many expired keys left the index
   */
  @Override
  public int purgeExpired() {
    if (ttlMillis == 0) {
      return 0;
    }
    cache.purge(wallClock.millis());
    return remote.purgeStep();
  }

  /**
   * Flushes, ends the current staging epoch (writes before this call belong to the checkpoint this
   * snapshot is taken for) and reads every live entry.
   */
  @Override
  public StoreSnapshot snapshot() {
    flush();
    remote.seal();
    Map<Remote.Key, Remote.Value> live = remote.enumerate();
    long wallNow = wallClock.millis(); // after reading: a remaining time is never overstated
    long now = clock.millis();
    List<StoreSnapshot.Entry> entries = new ArrayList<>(live.size());
    for (Map.Entry<Remote.Key, Remote.Value> e : live.entrySet()) {
      long deadline = e.getValue().deadline();
      if (deadline <= wallNow) {
        continue;
      }
      long expiresAt = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : saturatedAdd(now, deadline - wallNow);
      entries.add(new StoreSnapshot.Entry(e.getKey().bytes(), e.getValue().bytes(), expiresAt));
    }
    return new StoreSnapshot(spec.name(), entries);
  }

  /**
   * Empties the store and writes the snapshot's entries (buffered: they reach Redis in batches and
   * at the next flush). An entry's remaining time to live is kept.
   */
  @Override
  public void restore(StoreSnapshot snapshot) {
    if (!snapshot.storeName().equals(spec.name())) {
      throw new StateException("cannot restore store '" + spec.name() + "' from a snapshot of '"
          + snapshot.storeName() + "'");
    }
    pending.clear();
    cache.clear();
    clearPending = true;
    long wallNow = wallClock.millis();
    long now = clock.millis();
    for (StoreSnapshot.Entry e : snapshot.entries()) {
      long deadline = Long.MAX_VALUE;
      if (e.expiresAtMillis() != Long.MAX_VALUE) {
        if (e.expiresAtMillis() <= now) {
          continue;
        }
        deadline = saturatedAdd(wallNow, e.expiresAtMillis() - now);
      }
      K key = spec.keySerde().deserialize(e.key());
      V value = spec.valueSerde().deserialize(e.value());
      pending.put(key, new Write<>(value, e.value(), deadline));
      cache.put(key, value, deadline);
      if (pending.size() >= batchSize) {
        flush();
      }
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /** Sends what is buffered; the data stays in Redis. */
  @Override
  public void close() {
    try {
      flush();
      remote.seal();
    } finally {
      cache.clear();
    }
  }

  @Override
  public String toString() {
    return "RedisKeyValueStore[" + spec.name() + (remote.staged() ? ", staged" : "") + "]";
  }

  /** A bounded least-recently-used map of what the task knows about its keys (null = absent). */
  private static final class Cache<K, V> {
    record Entry<V>(V value, long deadline) {}

    private final int capacity;
    private final LinkedHashMap<K, Entry<V>> map;

    Cache(int capacity) {
      this.capacity = capacity;
      this.map = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
          return size() > Cache.this.capacity;
        }
      };
    }

    Entry<V> get(K key) {
      return capacity == 0 ? null : map.get(key);
    }

    void put(K key, V value, long deadline) {
      if (capacity > 0) {
        map.put(key, new Entry<>(value, deadline));
      }
    }

    void purge(long now) {
      map.values().removeIf(e -> e.deadline() <= now);
    }

    void clear() {
      map.clear();
    }
  }
}
