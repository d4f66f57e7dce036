package io.nip.archsample;

import io.nip.state.StateBackend;
import io.nip.state.internal.InMemoryStateBackend;

/** Breaks rule 1 on purpose: a public package of area "archsample" uses the state's internals. */
public final class PublicClassUsingStateInternalsSample {
  /** @return the in-memory backend, reached around its public factory */
  public StateBackend backend() {
    return InMemoryStateBackend.INSTANCE;
  }
}
