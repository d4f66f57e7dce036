package io.nip.archsample.gamma;

import io.nip.archsample.gamma.internal.GammaImplSample;

/** A public type with a factory over its own internal implementation: a facade edge. */
public interface GammaSample {
  /** @return the implementation */
  static GammaSample create() {
    return new GammaImplSample();
  }
}
