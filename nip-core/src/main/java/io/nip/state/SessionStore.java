package io.nip.state;

import java.time.Instant;

/**
 * A task-local store of sessions: a value per key and time interval {@code [start, end]}, found by
 * overlap. A key's sessions come back in start order (then end order); times have millisecond
 * precision. With a TTL (set by {@link StoreSpec}) a session expires that long after its last
 * write, on the pipeline's clock.
 *
 * <pre>{@code
 * SessionStore<String, Long> sessions = backend.createSessionStore(StoreSpec.of("sessions", keySerde, longSerde), scope, clock);
 * try (var it = sessions.findSessions("user1", t.minus(gap), t.plus(gap))) { ... merge what overlaps ... }
 * sessions.put("user1", mergedStart, mergedEnd, mergedCount);
 * }</pre>
 *
 * <p>Values are stored serialized by durable backends: a change made to a value object after
 * {@link #put} is stored only when it is put again. Confined to its task's thread.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface SessionStore<K, V> extends StateStore {

  /**
   * Stores a session's value, replacing the previous value of the same key, start and end.
   *
   * @param key the key, not null
   * @param start the session's start, not null
   * @param end the session's end, not before {@code start}
   * @param value the value, not null (use {@link #remove})
   * @throws IllegalArgumentException when {@code end} is before {@code start}
   */
  void put(K key, Instant start, Instant end, V value);

  /**
   * @param key the key, not null
   * @param start the session's start
   * @param end the session's end
   * @return the live value of exactly that session, or null
   */
  V fetchSession(K key, Instant start, Instant end);

  /**
   * Removes a session; nothing happens when there is none.
   *
   * @param key the key, not null
   * @param start the session's start
   * @param end the session's end
   */
  void remove(K key, Instant start, Instant end);

  /**
   * A key's sessions that overlap {@code [earliestEnd, latestStart]}: those whose end is at or
   * after {@code earliestEnd} and whose start is at or before {@code latestStart}, in start order.
   * To find what an event at {@code t} merges with under a gap {@code g}, ask for
   * {@code [t - g, t + g]}.
   *
   * @param key the key, not null
   * @param earliestEnd sessions ending before it are left out
   * @param latestStart sessions starting after it are left out
   * @return the live sessions; close it
   */
  StoreIterator<Session<K, V>> findSessions(K key, Instant earliestEnd, Instant latestStart);

  /** @return how many expired sessions were removed (0 without a TTL) */
  int purgeExpired();

  /**
   * One session of a key.
   *
   * @param key the key
   * @param start the session's start
   * @param end the session's end
   * @param value the live value
   * @param <K> key type
   * @param <V> value type
   */
  record Session<K, V>(K key, Instant start, Instant end, V value) {}
}
