package io.nip.state.internal;

import io.nip.state.KeyValueStore;
import io.nip.state.SessionStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSpec;
import io.nip.state.WindowStore;
import io.nip.time.NipClock;

/** Stores in a hash map on the heap. Lost on restart unless restored from a snapshot. */
public final class InMemoryStateBackend implements StateBackend {
  /** The one instance. */
  public static final InMemoryStateBackend INSTANCE = new InMemoryStateBackend();

  private InMemoryStateBackend() {}

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return new InMemoryKeyValueStore<>(spec, clock);
  }

  @Override
  public <K, V> WindowStore<K, V> createWindowStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return new InMemoryWindowStore<>(spec, clock);
  }

  @Override
  public <K, V> SessionStore<K, V> createSessionStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    return new InMemorySessionStore<>(spec, clock);
  }
}
