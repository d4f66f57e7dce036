package io.nip.time;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A virtual clock that moves only when told to. {@link #sleep} advances it, so a retry backoff in a
 * test takes no real time.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock(Instant.EPOCH);
 * clock.advance(Duration.ofSeconds(30));
 * }</pre>
 */
public final class ManualClock implements NipClock {
  private final AtomicLong nanos;

  /** @param start the initial instant */
  public ManualClock(Instant start) {
    Objects.requireNonNull(start, "start");
    this.nanos = new AtomicLong(Math.multiplyExact(start.toEpochMilli(), 1_000_000L));
  }

  /**
   * @param duration how far to move the clock, not negative
   * @return the new instant
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a clock cannot go back; duration was " + duration);
    }
    return Instant.ofEpochMilli(nanos.addAndGet(duration.toNanos()) / 1_000_000L);
  }

  @Override
  public long millis() {
    return nanos.get() / 1_000_000L;
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public void sleep(Duration duration) {
    if (!duration.isNegative()) {
      nanos.addAndGet(duration.toNanos());
    }
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + "]";
  }
}
