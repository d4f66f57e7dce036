package io.nip.state;

import java.util.function.BiConsumer;

/**
 * A task-local key-value store, with an optional time-to-live per entry (set by {@link StoreSpec}).
 * Expired entries are invisible to reads and purged by the runtime.
 *
 * <pre>{@code
 * KeyValueStore<String, Long> counts = ctx.keyValueStore(StoreSpec.keyValue("counts", Serdes.string(), Serdes.json(Long.class)));
 * counts.put("user1", counts.getOrDefault("user1", 0L) + 1);
 * }</pre>
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface KeyValueStore<K, V> extends StateStore {

  /**
   * @param key the key, not null
   * @return the live value, or null
   */
  V get(K key);

  /**
   * @param key the key
   * @param defaultValue returned when absent
   * @return the live value or the default
   */
  default V getOrDefault(K key, V defaultValue) {
    V v = get(key);
    return v == null ? defaultValue : v;
  }

  /**
   * Stores a value; with a TTL, the entry expires that long after this write.
   *
   * @param key the key, not null
   * @param value the value, not null (use {@link #delete})
   */
  void put(K key, V value);

  /**
   * Puts an entry back during a restore from a changelog, with the expiry it had when it was
   * written (a TTL measured from the restore would make entries live longer than they should).
   * Backends without TTL support ignore the expiry (the default, which calls {@link #put}).
   *
   * @param key the key, not null
   * @param value the value, not null
   * @param expiresAtMillis epoch milliseconds at which the entry expires, or {@link Long#MAX_VALUE}
   */
  default void putRestored(K key, V value, long expiresAtMillis) {
    put(key, value);
  }

  /**
   * Puts back a changelog entry as the changelog holds it, without deserializing it: for backends
   * that store the serdes' bytes anyway (RocksDB). Called during a restore only, instead of
   * {@link #putRestored}, when it returns true.
   *
   * @param key the key as this store's key serde wrote it
   * @param value the value as this store's value serde wrote it, not null
   * @param expiresAtMillis epoch milliseconds at which the entry expires, or {@link Long#MAX_VALUE}
   * @return false (the default) when the store does not take serialized entries: the caller then
   *     deserializes them and calls {@link #putRestored}
   */
  default boolean putRestoredSerialized(byte[] key, byte[] value, long expiresAtMillis) {
    return false;
  }

  /**
   * Deletes an entry given its serialized key, without deserializing it: for restores from a
   * changelog (a tombstone) and for writers that hold bytes already. Ordered like {@link
   * #putRestoredSerialized} with the other calls.
   *
   * @param key the key as this store's key serde wrote it
   * @return false (the default) when the store does not take serialized keys: the caller then
   *     deserializes the key and calls {@link #delete}
   */
  default boolean deleteRestoredSerialized(byte[] key) {
    return false;
  }

  /**
   * @param key the key
   * @return the value removed, or null
   */
  V delete(K key);

  /** @param action called with every live entry; do not modify the store from it */
  void forEach(BiConsumer<? super K, ? super V> action);

  /**
   * Whether the store keeps the value objects themselves, so that a change made to a value object
   * after {@link #put} is already stored. Serializing or remote backends return false: callers that
   * change a value in place must then put it again. A store that returns true must hold exactly what
   * was put through it — no eviction, expiry or writes from elsewhere — because the runtime's change
   * tracking then keeps its own index of the same objects and reads from it.
   *
   * @return false unless the backend guarantees it
   */
  default boolean storesLiveObjects() {
    return false;
  }

  /**
   * The live entries whose serialized key lies in {@code [from, to]} (both inclusive), in the
   * unsigned order of serialized keys. Serialized order is the key's natural order only when the
   * key serde preserves it (UTF-8 strings do; JSON text and two's-complement numbers mostly do
   * not). Durable backends read it off their sorted files; the in-memory backend serializes and
   * sorts every key, which is fine for tests and small stores.
   *
   * <pre>{@code
   * try (StoreIterator<KeyValue<String, Long>> it = store.range("a", "c")) { it.forEachRemaining(...); }
   * }</pre>
   *
   * @param from the first key, or null for no lower bound
   * @param to the last key, or null for no upper bound
   * @return the entries; close it
   * @throws UnsupportedOperationException when the backend cannot scan ordered ranges (the default)
   */
  default StoreIterator<KeyValue<K, V>> range(K from, K to) {
    throw new UnsupportedOperationException("store '" + name() + "' (" + getClass().getSimpleName()
        + ") does not support range scans");
  }

  /**
   * The live entries whose serialized key starts with the serialized prefix, in the unsigned
   * order of serialized keys (see {@link #range}).
   *
   * <pre>{@code
   * try (var it = store.prefixScan("user1|", Serdes.string())) { ... }   // keys "user1|..." with a string key serde
   * }</pre>
   *
   * @param prefix the prefix, not null
   * @param prefixSerde serializes the prefix the way the key serde writes the start of a key
   * @param <P> prefix type
   * @return the entries; close it
   * @throws UnsupportedOperationException when the backend cannot scan ordered ranges (the default)
   */
  default <P> StoreIterator<KeyValue<K, V>> prefixScan(P prefix, io.nip.serde.Serde<P> prefixSerde) {
    throw new UnsupportedOperationException("store '" + name() + "' (" + getClass().getSimpleName()
        + ") does not support prefix scans");
  }

  /** @return the number of entries, possibly counting expired ones not yet purged */
  long approximateSize();

  /** @return how many expired entries were removed */
  int purgeExpired();
}
