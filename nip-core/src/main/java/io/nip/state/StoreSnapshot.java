package io.nip.state;

import java.util.List;
import java.util.Objects;

/**
 * The serialized content of one store at a point in time.
 *
 * @param storeName the store's name
 * @param entries every live entry
 */
public record StoreSnapshot(String storeName, List<Entry> entries) {

  /** Copies the entry list. */
  public StoreSnapshot {
    Objects.requireNonNull(storeName, "storeName");
    entries = List.copyOf(entries);
  }

  /**
   * One entry.
   *
   * @param key serialized key
   * @param value serialized value
   * @param expiresAtMillis epoch milliseconds at which the entry expires, or {@link Long#MAX_VALUE}
   */
  public record Entry(byte[] key, byte[] value, long expiresAtMillis) {}
}
