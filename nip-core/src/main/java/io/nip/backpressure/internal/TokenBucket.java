package io.nip.backpressure.internal;

/**
 * A token bucket on a millisecond clock, shared by every task that uses one rate limiter.
 *
 * <p>Design: tokens are counted in millionths ("micro-tokens") so that the refill is integer
 * arithmetic: a rate of {@code r} events/s adds {@code round(r * 1000)} micro-tokens per
 * millisecond. Rates with at most three decimals (events/s) are therefore exact, with no drift
 * however long the pipeline runs; finer rates are rounded to a thousandth of an event per second.
 * The bucket holds at most {@code burst} tokens and starts full, so the first {@code burst}
 * records pass at once and then one per {@code 1/r} seconds.
 *
 * <p>A record that waits for a token is given it the moment it accrues: while records wait, the
 * time between two looks is credited without the burst cap (see {@link #tryAcquire(long, boolean)}),
 * so the admitted count does not depend on how often the runtime looks. While any user of the bucket
 * waits ({@link #startWaiting}), every credit is uncapped, whoever looks: another task's plain
 * acquire must not cut the waiting task's share. When no user waits any more, the bucket is capped
 * at {@code burst} again.
 *
 * <p>Invariants: {@code 0 <= tokens}; above {@code capacity} only what accrued while records
 * waited; {@code last} never moves backwards (a clock read
 * that goes back adds nothing). A rate change first credits the time elapsed at the old rate.
 *
 * <p>Threading: every method is synchronized; tasks of different threads share one bucket, so a
 * limiter bounds the operator as a whole, not each task.
 */
public final class TokenBucket {
  /** Micro-tokens per token. */
  static final long SCALE = 1_000_000L;
  private long perMilli;
  private long capacity;
  private long tokens;
  private long last = Long.MIN_VALUE;
  /** Credit while records wait is not capped by the burst; this only keeps it from overflowing. */
  private static final long UNCAPPED_LIMIT = Long.MAX_VALUE / 4;
  /** A rate change not applied yet, micro-tokens per ms, or 0. */
  private long pendingPerMilli;
  /** Users holding a record for a token ({@link #startWaiting}); the credit above the cap is theirs. */
  private int waiters;

  /**
   * @param ratePerSecond events per second, at least 0.001
   * @param burst the bucket's size in tokens, at least 1
   */
  public TokenBucket(double ratePerSecond, long burst) {
    this.perMilli = perMilli(ratePerSecond);
    this.capacity = burst * SCALE;
  }

  private static long perMilli(double ratePerSecond) {
    return Math.max(1, Math.round(ratePerSecond * 1000.0));
  }

  /**
   * Takes one token if there is one.
   *
   * @param nowMillis the pipeline clock, epoch millis
   * @return true when a token was taken (the record may pass)
   */
  public synchronized boolean tryAcquire(long nowMillis) {
    return tryAcquire(nowMillis, false);
  }

  /**
   * Takes one token if there is one.
   *
   * @param nowMillis the pipeline clock, epoch millis
   * @param waiting true when a record has been waiting for a token since the previous call: the
   *     time since then is credited without the burst cap, because with a record waiting every
   *     token would have been taken the moment it came (the caller only looks now). Without this,
   *     looking at the bucket less often than once per token would lose the overshoot and the rate
   *     would depend on how often the caller looks.
   * @return true when a token was taken
   */
  public synchronized boolean tryAcquire(long nowMillis, boolean waiting) {
    if (waiting && last != Long.MIN_VALUE && nowMillis > last) {
      long elapsed = nowMillis - last;
      last = nowMillis;
      creditUncapped(elapsed);
    }
    refill(nowMillis);
    if (tokens >= SCALE) {
      tokens -= SCALE;
      return true;
    }
    return false;
  }

  /**
   * A user of the bucket (a task) starts holding a record for a token. Each call is matched by one
   * {@link #stopWaiting()}.
   */
  public synchronized void startWaiting() {
    waiters++;
  }

  /**
   * That user holds nothing any more. When no user waits, what accrued above the burst while
   * records waited is dropped; while another still waits, it stays for that one (tasks share the
   * bucket, and one task's credit must not be capped because another task has emptied its queue).
   */
  public synchronized void stopWaiting() {
    if (waiters > 0) {
      waiters--;
    }
    if (waiters == 0 && tokens > capacity) {
      tokens = capacity;
    }
  }

  /**
   * @param nowMillis the pipeline clock, epoch millis
   * @return the whole tokens available now
   */
  public synchronized long available(long nowMillis) {
    refill(nowMillis);
    return tokens / SCALE;
  }

  /**
   * Changes the rate at the next refill: the time until that refill (the next acquire, on the
   * caller's clock) is credited at the old rate. So the bucket never mixes the clock of whoever
   * changes the rate with the pipeline clock its users pass.
   *
   * @param ratePerSecond events per second, at least 0.001
   */
  public synchronized void setRate(double ratePerSecond) {
    this.pendingPerMilli = perMilli(ratePerSecond);
  }

  private void refill(long now) {
    if (last == Long.MIN_VALUE) {
      tokens = capacity;
      last = now;
    } else if (now > last) {
      credit(now);
    }
    if (pendingPerMilli != 0) {
      perMilli = pendingPerMilli;
      pendingPerMilli = 0;
    }
  }

  private void credit(long now) {
    long elapsed = now - last;
    last = now;
    if (waiters > 0) { // a record waits somewhere: it would have taken each token as it came
      creditUncapped(elapsed);
      return;
    }
    long missing = capacity - tokens;
    if (missing <= 0) {
      return; // left over from a wait: nothing more accrues above the cap
    }
    // compare before multiplying: a long pause would overflow elapsed * perMilli
    if (elapsed >= missing / perMilli + 1) {
      tokens = capacity;
    } else {
      tokens += elapsed * perMilli;
      if (tokens > capacity) {
        tokens = capacity;
      }
    }
  }

  private void creditUncapped(long elapsed) {
    tokens = elapsed >= (UNCAPPED_LIMIT - tokens) / perMilli ? UNCAPPED_LIMIT : tokens + elapsed * perMilli;
  }
}
