package io.nip.bench.e2e;

import io.nip.serde.Serde;
import io.nip.state.KeyValue;
import io.nip.state.KeyValueStore;
import io.nip.state.SessionStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreIterator;
import io.nip.state.StoreSpec;
import io.nip.state.WindowStore;
import io.nip.time.NipClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * A state backend that hands every call to another one and remembers the key-value stores of one
 * operator (the join), so that {@code nip bench join} can say how much state the join keeps per key.
 *
 * <p>What is measured: a snapshot of each of the operator's stores, taken when the store is closed
 * or, for a store still open, by {@link #measure()} after the run; {@link #measure()} adds up the
 * bytes of every entry's serialized key and value (the key with the join's key serde, the value
 * with the join's state serde: the bytes RocksDB or a changelog would hold for it, without their
 * own per-entry overhead) and counts the entries. The join keeps one state value per join key, so
 * the entries are the keys. Snapshots read the stores from the bench's thread after the pipeline
 * stopped; nothing touches them concurrently.
 */
final class JoinStateMeter implements StateBackend {
  /**
   * The join's state at the end of a run.
   *
   * @param keys entries of the operator's stores (one per join key)
   * @param bytes their serialized keys and values, in bytes
   */
  record Measured(long keys, long bytes) {
    double bytesPerKey() {
      return keys == 0 ? 0 : (double) bytes / keys;
    }
  }

  private final StateBackend delegate;
  private final String operator;
  private final List<KeyValueStore<?, ?>> open = new ArrayList<>();
  private final List<StoreSnapshot> closed = new ArrayList<>();

  /**
   * @param delegate the backend the pipeline really uses
   * @param operator the name of the operator whose stores are measured
   */
  JoinStateMeter(StateBackend delegate, String operator) {
    this.delegate = delegate;
    this.operator = operator;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    KeyValueStore<K, V> store = delegate.createKeyValueStore(spec, scope, clock);
    if (!scope.operator().equals(operator)) {
      return store;
    }
    synchronized (this) {
      open.add(store);
    }
    return new Metered<>(store);
  }

  /**
   * Hands every call straight to the store (a plain call, no reflection: the join's timed run pays
   * nothing for the measurement); {@link #close()} first keeps a snapshot of what it held.
   */
  private final class Metered<K, V> implements KeyValueStore<K, V> {
    private final KeyValueStore<K, V> store;

    Metered(KeyValueStore<K, V> store) {
      this.store = store;
    }

    @Override
    public String name() {
      return store.name();
    }

    @Override
    public V get(K key) {
      return store.get(key);
    }

    @Override
    public V getOrDefault(K key, V defaultValue) {
      return store.getOrDefault(key, defaultValue);
    }

    @Override
    public void put(K key, V value) {
      store.put(key, value);
    }

    @Override
    public void putRestored(K key, V value, long expiresAtMillis) {
      store.putRestored(key, value, expiresAtMillis);
    }

    @Override
    public boolean putRestoredSerialized(byte[] key, byte[] value, long expiresAtMillis) {
      return store.putRestoredSerialized(key, value, expiresAtMillis);
    }

    @Override
    public boolean deleteRestoredSerialized(byte[] key) {
      return store.deleteRestoredSerialized(key);
    }

    @Override
    public V delete(K key) {
      return store.delete(key);
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
      store.forEach(action);
    }

    @Override
    public boolean storesLiveObjects() {
      return store.storesLiveObjects();
    }

    @Override
    public StoreIterator<KeyValue<K, V>> range(K from, K to) {
      return store.range(from, to);
    }

    @Override
    public <P> StoreIterator<KeyValue<K, V>> prefixScan(P prefix, Serde<P> prefixSerde) {
      return store.prefixScan(prefix, prefixSerde);
    }

    @Override
    public long approximateSize() {
      return store.approximateSize();
    }

    @Override
    public int purgeExpired() {
      return store.purgeExpired();
    }

    @Override
    public StoreSnapshot snapshot() {
      return store.snapshot();
    }

    @Override
    public void restore(StoreSnapshot snapshot) {
      store.restore(snapshot);
    }

    @Override
    public void flush() {
      store.flush();
    }

    @Override
    public void close() {
      synchronized (JoinStateMeter.this) {
        if (open.remove(store)) {
          closed.add(store.snapshot());
        }
      }
      store.close();
    }
  }

  @Override
  public <K, V> WindowStore<K, V> createWindowStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return delegate.createWindowStore(spec, scope, clock);
  }

  @Override
  public <K, V> SessionStore<K, V> createSessionStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return delegate.createSessionStore(spec, scope, clock);
  }

  @Override
  public boolean isDurable() {
    return delegate.isDurable();
  }

  @Override
  public void checkpointLocally(TaskScope task, long checkpointId) {
    delegate.checkpointLocally(task, checkpointId);
  }

  @Override
  public void confirmLocalCheckpoint(TaskScope task, long checkpointId, Map<String, Long> changelogPositions) {
    delegate.confirmLocalCheckpoint(task, checkpointId, changelogPositions);
  }

  @Override
  public Optional<LocalCheckpoint> openLocalCheckpoint(TaskScope task, long maxCheckpointId) {
    return delegate.openLocalCheckpoint(task, maxCheckpointId);
  }

  @Override
  public void dropLocalState(TaskScope task) {
    delegate.dropLocalState(task);
  }

  /**
   * Call after the pipeline stopped and before its backend is closed.
   *
   * @return the operator's entries and their serialized bytes, over all its stores (one per task)
   */
  synchronized Measured measure() {
    List<StoreSnapshot> all = new ArrayList<>(closed);
    open.forEach(s -> all.add(s.snapshot()));
    long keys = 0;
    long bytes = 0;
    for (StoreSnapshot s : all) {
      for (StoreSnapshot.Entry e : s.entries()) {
        keys++;
        bytes += e.key().length + e.value().length;
      }
    }
    return new Measured(keys, bytes);
  }
}
