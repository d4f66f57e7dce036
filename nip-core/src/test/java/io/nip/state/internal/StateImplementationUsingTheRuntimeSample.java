package io.nip.state.internal;

import io.nip.runtime.internal.Operator;

/** Breaks the layering on purpose: a built-in implementation (state) using the runtime above it. */
public final class StateImplementationUsingTheRuntimeSample {
  /** The operator whose state this would be. */
  public Operator owner;
}
