package io.nip.archsample.delta;

import io.nip.archsample.gamma.GammaSample;

/**
 * Uses the public {@link GammaSample}, whose implementation uses this package: a cycle between
 * areas that closes only through a facade edge (like errors, sink and sink.internal).
 */
public final class DeltaSample {
  /** The public type used. */
  public GammaSample gamma;
}
