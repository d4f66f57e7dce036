package io.nip.runtime.internal;

import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StateChangelog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

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
 * the last drain, the slots changed since then, each once (its {@code marked} flag set); a slot
 * whose key was deleted holds a null value and has left {@link #slots} (a later put of the key makes
 * a new slot, listed after it, so the last change wins when the changes are applied in order). Every
 * write goes through here and then to the backend's store. Threading: confined to the task's thread.
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

    Slot(K key, V value) {
      this.key = key;
      this.value = value;
    }
  }

  private final KeyValueStore<K, V> inner;
  private final HashMap<K, Slot<K, V>> slots = new HashMap<>();
  private ArrayList<Slot<K, V>> changed = new ArrayList<>();
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
    inner.forEach((k, v) -> slots.put(k, new Slot<>(k, v)));
    for (Slot<K, V> s : changed) {
      s.marked = false;
    }
    changed = new ArrayList<>();
  }

  V get(K key) {
    Slot<K, V> s = slots.get(key);
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
    s = slots.get(key);
    if (s == null) {
      s = new Slot<>(key, value);
      slots.put(key, s);
    } else {
      s.value = value;
    }
    mark(s);
  }

  V delete(K key) {
    forgetRead();
    V old = inner.delete(key);
    Slot<K, V> s = slots.remove(key);
    if (s == null) {
      s = new Slot<>(key, null);
    }
    s.value = null;
    mark(s);
    return old;
  }

  /** Records a committed change applied to the backend's store during a restore, untracked. */
  void applied(K key, V valueOrNull) {
    forgetRead();
    if (valueOrNull == null) {
      slots.remove(key);
    } else {
      Slot<K, V> s = slots.get(key);
      if (s == null) {
        slots.put(key, new Slot<>(key, valueOrNull));
      } else {
        s.value = valueOrNull;
      }
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
      byte[] k = keySerde.serialize(s.key);
      out.add(new StateChangelog.Change(storeId, k, s.value == null ? null : valueSerde.serialize(s.value),
          Long.MAX_VALUE));
    }
    // sized like this interval's: the next one usually changes as many keys
    changed = new ArrayList<>(changed.size());
  }

  void clear() {
    forgetRead();
    slots.clear();
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
