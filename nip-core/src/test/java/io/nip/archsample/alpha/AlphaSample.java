package io.nip.archsample.alpha;

import io.nip.archsample.beta.BetaSample;

/** With {@link BetaSample}, a package cycle on purpose. */
public final class AlphaSample {
  /** The other half of the cycle. */
  public BetaSample beta;
}
