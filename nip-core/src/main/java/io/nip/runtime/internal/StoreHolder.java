package io.nip.runtime.internal;

import io.nip.state.KeyValueStore;
import java.util.Map;

/** Capability of an operator that keeps named key-value stores a user may inspect (keyed process). */
public interface StoreHolder {
  /** @return the operator name */
  String name();

  /** @return its stores by name */
  Map<String, KeyValueStore<?, ?>> stores();
}
