package io.nip.state.rocksdb.internal;

import io.nip.state.StoreIterator;
import io.nip.state.StoreKeys;
import io.nip.state.StoreSpec;
import io.nip.state.WindowStore;
import io.nip.time.NipClock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A window store on a RocksDB column family. Keys are laid out by {@link StoreKeys#window}: the
 * escaped serialized key, a terminator, the start as 8 big-endian bytes with the sign flipped, so
 * RocksDB's byte order is (key, start) order and a key's windows are one contiguous run.
 *
 * <p>{@link #fetch(Object, Instant, Instant)} seeks to (key, from) and reads until (key, to).
 * {@link #fetchAll} walks keys in order and, per key, seeks to its first window at or after
 * {@code from} and, once past {@code to}, straight to the next key, so it reads the matching windows
 * plus about one entry per key. Writes go straight to RocksDB (no object cache: a window store is
 * read by ranges, which a cache of single entries would have to merge); RocksDB's memtable absorbs
 * them. Threading: confined to the task's thread.
 */
final class RocksWindowStore<K, V> extends ColumnStore<K, V> implements WindowStore<K, V> {

  RocksWindowStore(StoreSpec<K, V> spec, TaskDb db, String storeId, NipClock clock) {
    super(spec, db, storeId, clock);
  }

  private byte[] key(K key, Instant start) {
    return StoreKeys.window(spec.keySerde().serialize(Objects.requireNonNull(key, "key")),
        Objects.requireNonNull(start, "windowStart"));
  }

  @Override
  public void put(K key, Instant windowStart, V value) {
    Objects.requireNonNull(value, "value");
    putRaw(key(key, windowStart), ValueCodec.encode(expiry(), spec.valueSerde().serialize(value)));
  }

  @Override
  public V fetch(K key, Instant windowStart) {
    byte[] value = liveValue(getRaw(key(key, windowStart)), now());
    return value == null ? null : spec.valueSerde().deserialize(value);
  }

  @Override
  public void delete(K key, Instant windowStart) {
    deleteRaw(key(key, windowStart));
  }

  @Override
  public StoreIterator<Entry<K, V>> fetch(K key, Instant from, Instant to) {
    byte[] lo = key(key, from);
    byte[] hi = key(key, to);
    long now = now();
    return new RocksScan<>(column) {
      {
        it.seek(lo);
      }

      @Override
      protected Entry<K, V> advance() {
        for (; it.isValid(); it.next()) {
          byte[] k = it.key();
          if (Arrays.compareUnsigned(k, hi) > 0) {
            return null;
          }
          byte[] value = liveValue(it.value(), now);
          if (value != null) {
            it.next();
            return new Entry<>(key, StoreKeys.windowStart(k), spec.valueSerde().deserialize(value));
          }
        }
        return null;
      }
    };
  }

  @Override
  public StoreIterator<Entry<K, V>> fetchAll(Instant from, Instant to) {
    long lo = StoreKeys.millis(Objects.requireNonNull(from, "from"));
    long hi = StoreKeys.millis(Objects.requireNonNull(to, "to"));
    long now = now();
    return new RocksScan<>(column) {
      private byte[] lastPrefix;
      private K lastKey;

      {
        it.seekToFirst();
      }

      @Override
      protected Entry<K, V> advance() {
        while (lo <= hi && it.isValid()) {
          byte[] k = it.key();
          byte[] prefix = Arrays.copyOf(k, k.length - Long.BYTES);
          long start = StoreKeys.millis(StoreKeys.windowStart(k));
          if (start < lo) {
            it.seek(StoreKeys.window(StoreKeys.key(k), Instant.ofEpochMilli(lo)));
          } else if (start > hi) {
            it.seek(afterEveryWindowOf(prefix));
          } else {
            byte[] value = liveValue(it.value(), now);
            it.next();
            if (value != null) {
              if (lastPrefix == null || !Arrays.equals(prefix, lastPrefix)) {
                lastPrefix = prefix;
                lastKey = spec.keySerde().deserialize(StoreKeys.key(k));
              }
              return new Entry<>(lastKey, Instant.ofEpochMilli(start), spec.valueSerde().deserialize(value));
            }
          }
        }
        return null;
      }
    };
  }

  /**
   * @return a key after every window of the key whose prefix is {@code prefix} and before the
   *     windows of the next key: every window key of that prefix is exactly 8 bytes longer
   */
  static byte[] afterEveryWindowOf(byte[] prefix) {
    byte[] out = Arrays.copyOf(prefix, prefix.length + Long.BYTES + 1);
    Arrays.fill(out, prefix.length, prefix.length + Long.BYTES, (byte) 0xFF);
    return out;
  }
}
