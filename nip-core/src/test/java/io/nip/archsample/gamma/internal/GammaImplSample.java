package io.nip.archsample.gamma.internal;

import io.nip.archsample.delta.DeltaSample;
import io.nip.archsample.gamma.GammaSample;

/** Implements its public type and uses a third package, which uses the public type in turn. */
public final class GammaImplSample implements GammaSample {
  /** Used by the implementation only. */
  public DeltaSample delta;
}
