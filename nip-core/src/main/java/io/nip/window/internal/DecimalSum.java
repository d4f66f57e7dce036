package io.nip.window.internal;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The accumulator of {@code Aggregates.sumDecimal}: an exact decimal sum, so the result does not
 * depend on the order of the values (binary floating point does: 0.1 + 0.2 + 0.3 is
 * 0.6000000000000001 one way and 0.6 another).
 *
 * <p>While it fits, the sum is a {@code long} of units of {@code 10^-scale} (the largest scale
 * seen), so adding a double or an integer allocates nothing. A double counts as the decimal it
 * reads as: the shortest decimal (at most {@value #MAX_FAST_SCALE} fraction digits here) whose
 * nearest double it is, as {@link BigDecimal#valueOf(double)} reads it; anything else, an
 * overflow, or a {@link BigDecimal} input moves the sum to a {@link BigDecimal}. Not thread-safe,
 * like every accumulator.
 */
public final class DecimalSum {
  static final int MAX_FAST_SCALE = 15;
  private static final long[] POW10 = new long[19];
  private static final double[] POW10_D = new double[MAX_FAST_SCALE + 1];
  private static final double EXACT = 9_007_199_254_740_992.0; // 2^53

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
    for (int i = 0; i <= MAX_FAST_SCALE; i++) {
      POW10_D[i] = POW10[i];
    }
  }

  private long unscaled;
  private int scale;
  private BigDecimal big;

  /** An empty sum (zero). */
  public DecimalSum() {}

  DecimalSum(long unscaled, int scale, BigDecimal big) {
    this.unscaled = unscaled;
    this.scale = scale;
    this.big = big;
  }

  /**
   * @param value a number; null adds nothing
   * @return this
   * @throws ArithmeticException for NaN and infinities
   */
  public DecimalSum add(Number value) {
    if (value == null) {
      return this;
    }
    if (value instanceof Double || value instanceof Float) {
      add0(value.doubleValue());
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      addScaled(value.longValue(), 0);
    } else if (value instanceof BigDecimal) {
      addBig((BigDecimal) value);
    } else if (value instanceof BigInteger) {
      addBig(new BigDecimal((BigInteger) value));
    } else {
      addBig(new BigDecimal(value.toString()));
    }
    return this;
  }

  /**
   * @param other another sum
   * @return this, plus it
   */
  public DecimalSum merge(DecimalSum other) {
    if (other.big != null) {
      addBig(other.big);
    } else {
      addScaled(other.unscaled, other.scale);
    }
    return this;
  }

  /** @return the exact sum; its scale is the largest scale among the values added */
  public BigDecimal result() {
    return big != null ? big : BigDecimal.valueOf(unscaled, scale);
  }

  boolean isCompact() {
    return big == null;
  }

  long unscaled() {
    return unscaled;
  }

  int scale() {
    return scale;
  }

  /**
   * @param x a double, counted as the decimal it reads as
   * @return this
   * @throws ArithmeticException for NaN and infinities
   */
  public DecimalSum addDouble(double x) {
    add0(x);
    return this;
  }

  private void add0(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      throw new ArithmeticException("sumDecimal: " + x + " is not a decimal number");
    }
    if (big == null) {
      for (int s = 0; s <= MAX_FAST_SCALE; s++) {
        double k = Math.rint(x * POW10_D[s]);
        if (Math.abs(k) >= EXACT) {
          break;
        }
        if (k / POW10_D[s] == x) {
          addScaled((long) k, s);
          return;
        }
      }
    }
    addBig(BigDecimal.valueOf(x));
  }

  private void addScaled(long k, int s) {
    if (big == null) {
      try {
        long add = k;
        if (s > scale) {
          unscaled = Math.multiplyExact(unscaled, POW10[s - scale]);
          scale = s;
        } else if (s < scale) {
          add = Math.multiplyExact(k, POW10[scale - s]);
        }
        unscaled = Math.addExact(unscaled, add);
        return;
      } catch (ArithmeticException overflow) {
        // fall through to the exact, allocating representation
      }
    }
    addBig(BigDecimal.valueOf(k, s));
  }

  private void addBig(BigDecimal v) {
    big = (big != null ? big : BigDecimal.valueOf(unscaled, scale)).add(v);
  }
}
