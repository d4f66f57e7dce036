package io.nip.state.rocksdb.internal;

import io.nip.state.SessionStore;
import io.nip.state.StoreIterator;
import io.nip.state.StoreKeys;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.time.Instant;
import java.util.Objects;

/**
 * A session store on a RocksDB column family. Keys are laid out by {@link StoreKeys#session}: the
 * escaped serialized key, a terminator, then start and end as 8 big-endian bytes each with the sign
 * flipped, so a key's sessions are one contiguous run in (start, end) order.
 *
 * <p>{@link #findSessions} seeks to the key's first session and reads until a session starts after
 * {@code latestStart}, keeping those that end at or after {@code earliestEnd}: it reads the key's
 * sessions that start early enough, which a session window keeps few of (closed sessions are
 * removed). Writes go straight to RocksDB. Threading: confined to the task's thread.
 */
final class RocksSessionStore<K, V> extends ColumnStore<K, V> implements SessionStore<K, V> {

  RocksSessionStore(StoreSpec<K, V> spec, TaskDb db, String storeId, NipClock clock) {
    super(spec, db, storeId, clock);
  }

  private byte[] key(K key, Instant start, Instant end) {
    return StoreKeys.session(spec.keySerde().serialize(Objects.requireNonNull(key, "key")),
        Objects.requireNonNull(start, "start"), Objects.requireNonNull(end, "end"));
  }

  @Override
  public void put(K key, Instant start, Instant end, V value) {
    Objects.requireNonNull(value, "value");
    if (StoreKeys.millis(end) < StoreKeys.millis(start)) {
      throw new IllegalArgumentException("a session cannot end (" + end + ") before it starts (" + start + ")");
    }
    putRaw(key(key, start, end), ValueCodec.encode(expiry(), spec.valueSerde().serialize(value)));
  }

  @Override
  public V fetchSession(K key, Instant start, Instant end) {
    byte[] value = liveValue(getRaw(key(key, start, end)), now());
    return value == null ? null : spec.valueSerde().deserialize(value);
  }

  @Override
  public void remove(K key, Instant start, Instant end) {
    deleteRaw(key(key, start, end));
  }

  @Override
  public StoreIterator<Session<K, V>> findSessions(K key, Instant earliestEnd, Instant latestStart) {
    byte[] prefix = StoreKeys.prefix(spec.keySerde().serialize(Objects.requireNonNull(key, "key")));
    long minEnd = StoreKeys.millis(Objects.requireNonNull(earliestEnd, "earliestEnd"));
    long maxStart = StoreKeys.millis(Objects.requireNonNull(latestStart, "latestStart"));
    long now = now();
    return new RocksScan<>(column) {
      {
        it.seek(prefix);
      }

      @Override
      protected Session<K, V> advance() {
        for (; it.isValid(); it.next()) {
          byte[] k = it.key();
          if (!startsWith(k, prefix)) {
            return null;
          }
          Instant start = StoreKeys.sessionStart(k);
          if (StoreKeys.millis(start) > maxStart) {
            return null;
          }
          Instant end = StoreKeys.sessionEnd(k);
          byte[] value = StoreKeys.millis(end) >= minEnd ? liveValue(it.value(), now) : null;
          if (value != null) {
            it.next();
            return new Session<>(key, start, end, spec.valueSerde().deserialize(value));
          }
        }
        return null;
      }
    };
  }
}
