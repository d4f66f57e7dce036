package io.nip.state.internal;

import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSpec;
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
}
