package io.nip.state.rocksdb.internal;

import io.nip.serde.Serde;
import io.nip.state.KeyValue;
import io.nip.state.KeyValueStore;
import io.nip.state.StoreIterator;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A key-value store on a RocksDB column family, keys as serialized by the key serde, with a write
 * cache of live objects in front.
 *
 * <p>Why the cache: an operator reads a key's state, changes it and puts it back for every record;
 * with a serde and a native call on each side, RocksDB alone costs microseconds per access. The
 * cache keeps the most recently used entries as objects (a {@link LinkedHashMap} in access order,
 * bounded by an entry count): reads hit it first, puts only mark the entry dirty. Dirty entries are
 * serialized and written in one {@link WriteBatch} when they are evicted (a tenth of the cache at a
 * time, so batches stay large) and on {@link #flush()}, which the runtime calls before every local
 * checkpoint. Misses are cached too (as absent entries), so a key seen for the first time costs one
 * RocksDB read. A value object is serialized when it leaves the cache, so {@link
 * #storesLiveObjects()} is false: callers put a changed value again, as the contract asks.
 *
 * <p>Invariants: the cache holds at most {@code cacheLimit} entries after every call; an entry is
 * dirty iff RocksDB may hold something else for its key; {@code dirtyCount} counts dirty entries.
 * Scans, snapshots and purges flush first and then read RocksDB only. With a limit of 0 the store
 * writes through. Threading: confined to the task's thread.
 *
 * <p>Restores: entries restored from a changelog as bytes ({@link #putRestoredSerialized}, {@link
 * #deleteRestoredSerialized}) skip the
 * cache (a restore writes each key once, and would only churn it) and go to RocksDB in batches of
 * {@value #RESTORE_BATCH}; every other call writes the pending batch first, so it is never seen
 * out of order.
 */
final class RocksKeyValueStore<K, V> extends ColumnStore<K, V> implements KeyValueStore<K, V> {
  private final int cacheLimit;
  private final LinkedHashMap<K, Cached> cache;
  private int dirtyCount;
  /** Restored entries not written yet, or null. */
  private WriteBatch restored;
  private int restoredCount;
  static final int RESTORE_BATCH = 10_000;

  /** A cached entry: the value object (null when absent), its expiry, whether RocksDB is behind. */
  private static final class Cached {
    final Object value;
    final long expiresAt;
    boolean dirty;

    Cached(Object value, long expiresAt, boolean dirty) {
      this.value = value;
      this.expiresAt = expiresAt;
      this.dirty = dirty;
    }
  }

  RocksKeyValueStore(StoreSpec<K, V> spec, TaskDb db, String storeId, NipClock clock, int cacheLimit) {
    super(spec, db, storeId, clock);
    this.cacheLimit = cacheLimit;
    this.cache = new LinkedHashMap<>(Math.min(cacheLimit, 1 << 16) * 4 / 3 + 1, 0.75f, true);
  }

  @Override
  @SuppressWarnings("unchecked")
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    column.handle(); // fails once the store is unusable, even when the cache could answer
    writeRestored();
    Cached c = cache.get(key);
    if (c == null) {
      c = load(key);
      if (cacheLimit > 0) {
        cache.put(key, c);
        evictIfFull();
      }
    }
    return c.value != null && c.expiresAt > now() ? (V) c.value : null;
  }

  private Cached load(K key) {
    byte[] stored = getRaw(spec.keySerde().serialize(key));
    if (stored == null) {
      return new Cached(null, Long.MAX_VALUE, false);
    }
    return new Cached(spec.valueSerde().deserialize(ValueCodec.value(stored)), ValueCodec.expiresAt(stored), false);
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    column.handle();
    writeRestored();
    write(key, new Cached(value, expiry(), true));
  }

  @Override
  public void putRestored(K key, V value, long expiresAtMillis) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    column.handle();
    writeRestored();
    write(key, new Cached(value, expiresAtMillis, true));
  }

  /** Takes the entry when the cache is empty (a restore into a new or emptied store); see the class comment. */
  @Override
  public boolean putRestoredSerialized(byte[] key, byte[] value, long expiresAtMillis) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (!cache.isEmpty()) {
      return false; // a cached entry of the key would hide this one, or overwrite it later
    }
    try {
      if (restored == null) {
        restored = new WriteBatch();
      }
      restored.put(column.handle(), key, ValueCodec.encode(expiresAtMillis, value));
      if (++restoredCount >= RESTORE_BATCH) {
        writeRestored();
      }
    } catch (RocksDBException e) {
      throw failure("restore entries of", e);
    }
    return true;
  }

  /** Writes the pending restored entries, if any. */
  @Override
  public boolean deleteRestoredSerialized(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (!cache.isEmpty()) {
      return false; // a cached entry of the key would hide this deletion
    }
    try {
      if (restored == null) {
        restored = new WriteBatch();
      }
      restored.delete(column.handle(), key);
      if (++restoredCount >= RESTORE_BATCH) {
        writeRestored();
      }
    } catch (RocksDBException e) {
      throw failure("restore entries of", e);
    }
    return true;
  }

  private void writeRestored() {
    if (restored == null) {
      return;
    }
    try (WriteBatch batch = restored) {
      restored = null;
      restoredCount = 0;
      write(batch);
    }
  }

  @Override
  public V delete(K key) {
    V old = get(key); // writes pending restored entries first
    Cached c = cache.get(key);
    if (cacheLimit == 0 || c == null || c.value != null || c.dirty) {
      write(key, new Cached(null, Long.MAX_VALUE, true));
    }
    return old;
  }

  private void write(K key, Cached entry) {
    if (cacheLimit == 0) {
      byte[] k = spec.keySerde().serialize(key);
      if (entry.value == null) {
        deleteRaw(k);
      } else {
        putRaw(k, encode(entry));
      }
      return;
    }
    Cached previous = cache.put(key, entry);
    if (previous == null || !previous.dirty) {
      dirtyCount++;
    }
    evictIfFull();
  }

  @SuppressWarnings("unchecked")
  private byte[] encode(Cached entry) {
    return ValueCodec.encode(entry.expiresAt, spec.valueSerde().serialize((V) entry.value));
  }

  private void evictIfFull() {
    if (cache.size() <= cacheLimit) {
      return;
    }
    int toEvict = cache.size() - cacheLimit + cacheLimit / 10;
    try (WriteBatch batch = new WriteBatch()) {
      Iterator<Map.Entry<K, Cached>> it = cache.entrySet().iterator();
      for (int i = 0; i < toEvict && it.hasNext(); i++) {
        Map.Entry<K, Cached> e = it.next();
        if (e.getValue().dirty) {
          addTo(batch, e.getKey(), e.getValue());
          dirtyCount--;
        }
        it.remove();
      }
      write(batch);
    } catch (RocksDBException e) {
      throw failure("write evicted entries of", e);
    }
  }

  private void addTo(WriteBatch batch, K key, Cached entry) throws RocksDBException {
    byte[] k = spec.keySerde().serialize(key);
    if (entry.value == null) {
      batch.delete(column.handle(), k);
    } else {
      batch.put(column.handle(), k, encode(entry));
    }
  }

  /** Writes every dirty entry to RocksDB in one batch; the entries stay cached, clean. */
  @Override
  public void flush() {
    if (column.isValid()) {
      writeRestored();
    }
    if (dirtyCount == 0 || !column.isValid()) {
      return;
    }
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<K, Cached> e : cache.entrySet()) {
        if (e.getValue().dirty) {
          addTo(batch, e.getKey(), e.getValue());
          e.getValue().dirty = false;
        }
      }
      write(batch);
      dirtyCount = 0;
    } catch (RocksDBException e) {
      throw failure("flush the write cache of", e);
    }
  }

  @Override
  void discardBuffer() {
    cache.clear();
    dirtyCount = 0;
    if (restored != null) {
      restored.close();
      restored = null;
      restoredCount = 0;
    }
  }

  @Override
  public void forEach(BiConsumer<? super K, ? super V> action) {
    try (StoreIterator<KeyValue<K, V>> it = scan(null, null, null)) {
      while (it.hasNext()) {
        KeyValue<K, V> kv = it.next();
        action.accept(kv.key(), kv.value());
      }
    }
  }

  @Override
  public StoreIterator<KeyValue<K, V>> range(K from, K to) {
    return scan(from == null ? null : spec.keySerde().serialize(from),
        to == null ? null : spec.keySerde().serialize(to), null);
  }

  @Override
  public <P> StoreIterator<KeyValue<K, V>> prefixScan(P prefix, Serde<P> prefixSerde) {
    byte[] p = Objects.requireNonNull(prefixSerde, "prefixSerde").serialize(Objects.requireNonNull(prefix, "prefix"));
    return scan(p, null, p);
  }

  /** Live entries from {@code lo} to {@code hi} (inclusive, null = open) that start with {@code prefix}. */
  private StoreIterator<KeyValue<K, V>> scan(byte[] lo, byte[] hi, byte[] prefix) {
    flush();
    long now = now();
    return new RocksScan<>(column) {
      {
        if (lo == null) {
          it.seekToFirst();
        } else {
          it.seek(lo);
        }
      }

      @Override
      protected KeyValue<K, V> advance() {
        for (; it.isValid(); it.next()) {
          byte[] k = it.key();
          if ((hi != null && Arrays.compareUnsigned(k, hi) > 0) || (prefix != null && !startsWith(k, prefix))) {
            return null;
          }
          byte[] value = liveValue(it.value(), now);
          if (value != null) {
            it.next();
            return new KeyValue<>(spec.keySerde().deserialize(k), spec.valueSerde().deserialize(value));
          }
        }
        return null;
      }
    };
  }

  @Override
  public boolean storesLiveObjects() {
    return false;
  }

  @Override
  public long approximateSize() {
    writeRestored();
    try {
      return column.db().getLongProperty(column.handle(), "rocksdb.estimate-num-keys") + dirtyCount;
    } catch (RocksDBException e) {
      throw failure("estimate the size of", e);
    }
  }

  @Override
  public int purgeExpired() {
    if (ttlMillis == 0) {
      return 0;
    }
    flush();
    long now = now();
    cache.values().removeIf(c -> c.value != null && c.expiresAt <= now);
    return super.purgeExpired();
  }

  /** Skips keys the cache holds a newer write for: they are not what phase one saw. */
  @Override
  int deleteIfExpired(List<byte[]> keys, long now) {
    writeRestored();
    if (dirtyCount > 0) {
      keys = keys.stream().filter(k -> {
        Cached c = cache.get(spec.keySerde().deserialize(k));
        return c == null || !c.dirty;
      }).toList();
    }
    for (byte[] k : keys) {
      cache.remove(spec.keySerde().deserialize(k));
    }
    return super.deleteIfExpired(keys, now);
  }

  /** @return entries held in the write cache (for tests and metrics) */
  int cachedEntries() {
    return cache.size();
  }
}
