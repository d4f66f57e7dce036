package io.nip.runtime.internal;

import io.nip.operators.internal.MergeOp;
import io.nip.state.internal.InMemoryStateBackend;

/**
 * Breaks rule 2 on purpose: the runtime building a concrete operator. Its use of the in-memory
 * state backend is allowed.
 */
public final class RuntimeImportingAnOperatorSample {
  /** @return a merge operator, built by the runtime itself */
  public Operator merge() {
    return new MergeOp(2);
  }

  /** @return the in-memory state backend */
  public Object state() {
    return InMemoryStateBackend.INSTANCE;
  }
}
