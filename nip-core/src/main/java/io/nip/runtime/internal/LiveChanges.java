package io.nip.runtime.internal;

import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StateChangelog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * The change set of a {@link ChangeTrackingStore} over a backend whose store hands out the objects it
 * holds (the in-memory backend without a TTL), kept next to each key's entry. Why: an operator that
 * changes a value in place reads it and puts it back once per record; with a change set in a map of
 * its own, that put costs a second hash lookup (and a key comparison that touches both keys' bytes).
 * Here every key of the backend's store has a {@link Slot}, found by the read; putting back the
 * object just read marks that slot without any lookup.
 *
 * <p>Invariants: {@link #slots} holds exactly the backend store's keys, each slot's value being the
 * object the store maps the key to; {@link #changed} lists, in the order of their first change since
 * the last drain, the slots changed since then, each once (its {@code marked} flag set), so a drain
 * sends one change per key; a slot whose key was deleted since the last drain holds a null value, has
 * left {@link #slots} and waits in {@link #deleted}, where a later put of the key finds it again.
 * Deleting a key the store does not hold changes nothing (the changelog, replayed, does not hold it
 * either), and neither does deleting a key whose every value came after the last drain of it (the
 * changelog holds no value of it to delete): a key that lives and dies between two barriers, as most
 * windows of a fast pipeline do, costs the changelog nothing. A slot is {@code logged} when the
 * changelog may hold a value of its key: restored keys, and keys last drained with a value. Every
 * write goes through here and then to the backend's store. Threading: confined to the
 * task's thread.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class LiveChanges<K, V> {
  /** A key's value and whether it is in the current change set. */
  private static final class Slot<K, V> {
    final K key;
    V value;
    boolean marked;
    /** The changelog may hold a value of this key (restored, or last drained with one): a delete is sent. */
    boolean logged;

    Slot(K key, V value) {
      this.key = key;
      this.value = value;
    }
  }

  private final KeyValueStore<K, V> inner;
  private final HashMap<K, Slot<K, V>> slots = new HashMap<>();
  private ArrayList<Slot<K, V>> changed = new ArrayList<>();
  /** Slots of keys deleted since the last drain (each also in {@link #changed}, with a null value). */
  private final HashMap<K, Slot<K, V>> deleted = new HashMap<>();
  /** The key object of the last read and the slot it found (null when absent or after a write). */
  private K lastReadKey;
  private Slot<K, V> lastRead;

  LiveChanges(KeyValueStore<K, V> inner) {
    this.inner = inner;
    reload();
  }

  /** Rebuilds the slots from the backend's store (after it was restored from a snapshot). */
  void reload() {
    forgetRead();
    slots.clear();
    deleted.clear();
    inner.forEach((k, v) -> slots.put(k, restoredSlot(k, v)));
    for (Slot<K, V> s : changed) {
      s.marked = false;
    }
    changed = new ArrayList<>();
  }

  private static <K, V> Slot<K, V> restoredSlot(K key, V value) {
    Slot<K, V> s = new Slot<>(key, value);
    s.logged = true;
    return s;
  }

  V get(K key) {
    Slot<K, V> s = slots.get(Objects.requireNonNull(key, "key"));
    lastReadKey = key;
    lastRead = s;
    return s == null ? null : s.value;
  }

  void put(K key, V value) {
    Slot<K, V> s = lastRead;
    if (s != null && key == lastReadKey && value == s.value && value != null) {
      mark(s); // the object the store already maps the key to, changed in place
      return;
    }
    inner.put(key, value); // throws on a null key or value before anything here changes
    forgetRead();
    s = slotOf(key);
    s.value = value;
    mark(s);
  }

  /**
   * @return the key's slot, made (or, for a key deleted since the last drain, found again in
   *     {@link #deleted}, so that the drain sends one change per key) and entered when absent
   */
  private Slot<K, V> slotOf(K key) {
    Slot<K, V> s = slots.get(key);
    if (s == null) {
      s = deleted.isEmpty() ? null : deleted.remove(key);
      if (s == null) {
        s = new Slot<>(key, null);
      }
      slots.put(key, s);
    }
    return s;
  }

  V delete(K key) {
    forgetRead();
    V old = inner.delete(key);
    Slot<K, V> s = slots.remove(key);
    if (s != null) {
      s.value = null;
      mark(s);
      deleted.put(key, s);
    }
    return old;
  }

  /**
   * Records a committed change applied to the backend's store during a restore, untracked (a slot
   * changed since the last drain keeps its mark and then carries the applied value or deletion).
   */
  void applied(K key, V valueOrNull) {
    forgetRead();
    if (valueOrNull == null) {
      Slot<K, V> s = slots.remove(key);
      if (s != null) {
        s.value = null;
        s.logged = true; // conservatively: a tombstone more is harmless, a missing one is not
        if (s.marked) {
          deleted.put(key, s);
        }
      }
    } else {
      Slot<K, V> s = slotOf(key);
      s.value = valueOrNull;
      s.logged = true;
    }
  }

  boolean hasChanges() {
    return !changed.isEmpty();
  }

  /** Appends the changes since the last drain, serialized (null value: deleted), and starts anew. */
  void drain(String storeId, Serde<K> keySerde, Serde<V> valueSerde, List<StateChangelog.Change> out) {
    if (changed.isEmpty()) {
      return;
    }
    for (Slot<K, V> s : changed) {
      s.marked = false;
      if (s.value == null && !s.logged) {
        continue; // born and deleted since the last drain of it: the changelog holds nothing to delete
      }
      s.logged = s.value != null;
      byte[] k = keySerde.serialize(s.key);
      out.add(new StateChangelog.Change(storeId, k, s.value == null ? null : valueSerde.serialize(s.value),
          Long.MAX_VALUE));
    }
    // sized like this interval's: the next one usually changes as many keys
    changed = new ArrayList<>(changed.size());
    deleted.clear();
  }

  void clear() {
    forgetRead();
    slots.clear();
    deleted.clear();
    changed = new ArrayList<>();
  }

  private void mark(Slot<K, V> s) {
    if (!s.marked) {
      s.marked = true;
      changed.add(s);
    }
  }

  private void forgetRead() {
    lastReadKey = null;
    lastRead = null;
  }
}
