package io.nip.state.internal;

import io.nip.errors.StateException;
import io.nip.state.StoreSnapshot;
import io.nip.time.NipClock;

/**
 * A value with its expiry time, as the in-memory window and session stores keep it. Without a TTL
 * the expiry is {@link Long#MAX_VALUE} and the clock is never read.
 *
 * @param value the value object
 * @param expiresAt epoch milliseconds at which it expires
 * @param <V> value type
 */
record Slot<V>(V value, long expiresAt) {

  /** @return whether the value is still visible at {@code now} (epoch milliseconds) */
  boolean liveAt(long now) {
    return expiresAt > now;
  }

  /** @return the expiry of a value written now */
  static long expiry(NipClock clock, long ttlMillis) {
    return ttlMillis == 0 ? Long.MAX_VALUE : clock.millis() + ttlMillis;
  }

  /** @throws StateException when the snapshot belongs to another store */
  static void requireSameStore(String storeName, StoreSnapshot snapshot) {
    if (!snapshot.storeName().equals(storeName)) {
      throw new StateException("cannot restore store '" + storeName + "' from a snapshot of '"
          + snapshot.storeName() + "'");
    }
  }
}
