package io.nip.state;

import java.time.Instant;

/**
 * A task-local store of values per key and window start, ordered: a key's windows come back in
 * start order, and scans over several keys in the order of their serialized bytes (unsigned, a key
 * before every key it is a prefix of), then by start. Window starts have millisecond precision.
 * With a TTL (set by {@link StoreSpec}) an entry expires that long after its last write, on the
 * pipeline's clock.
 *
 * <pre>{@code
 * WindowStore<String, Long> counts = backend.createWindowStore(StoreSpec.of("counts", keySerde, longSerde), scope, clock);
 * counts.put("user1", windowStart, counts.fetch("user1", windowStart) + 1);
 * try (var it = counts.fetch("user1", from, to)) { it.forEachRemaining(w -> use(w.start(), w.value())); }
 * }</pre>
 *
 * <p>Values are stored serialized by durable backends: a change made to a value object after
 * {@link #put} is stored only when it is put again. Confined to its task's thread.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface WindowStore<K, V> extends StateStore {

  /**
   * Stores a value for a window, replacing the previous one; with a TTL, the entry expires that
   * long after this write.
   *
   * @param key the key, not null
   * @param windowStart the window's start, not null
   * @param value the value, not null (use {@link #delete})
   */
  void put(K key, Instant windowStart, V value);

  /**
   * @param key the key, not null
   * @param windowStart the window's start, not null
   * @return the live value, or null
   */
  V fetch(K key, Instant windowStart);

  /**
   * Removes a window's value; nothing happens when there is none.
   *
   * @param key the key, not null
   * @param windowStart the window's start, not null
   */
  void delete(K key, Instant windowStart);

  /**
   * A key's windows whose start lies in {@code [from, to]} (both inclusive), in start order.
   *
   * @param key the key, not null
   * @param from the earliest start, not null ({@link Instant#MIN} for no bound)
   * @param to the latest start, not null ({@link Instant#MAX} for no bound)
   * @return the live windows; close it
   */
  StoreIterator<Entry<K, V>> fetch(K key, Instant from, Instant to);

  /**
   * Every key's windows whose start lies in {@code [from, to]} (both inclusive), by serialized key,
   * then start. It may read every entry of the store: meant for checks and purges, not per record.
   *
   * @param from the earliest start, not null
   * @param to the latest start, not null
   * @return the live windows; close it
   */
  StoreIterator<Entry<K, V>> fetchAll(Instant from, Instant to);

  /** @return how many expired entries were removed (0 without a TTL) */
  int purgeExpired();

  /**
   * One window of a key.
   *
   * @param key the key
   * @param start the window's start
   * @param value the live value
   * @param <K> key type
   * @param <V> value type
   */
  record Entry<K, V>(K key, Instant start, V value) {}
}
