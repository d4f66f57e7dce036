package io.nip.archsample.beta;

import io.nip.archsample.alpha.AlphaSample;

/** With {@link AlphaSample}, a package cycle on purpose. */
public final class BetaSample {
  /** The other half of the cycle. */
  public AlphaSample alpha;
}
