package io.nip.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The only way the runtime reads or waits on wall-clock time. Production uses {@link #system()};
 * tests inject a {@link ManualClock} so that processing-time timers, retries and idle timeouts run
 * on virtual time.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock(Instant.parse("2026-01-17T17:00:00Z"));
 * PipelineConfig cfg = PipelineConfig.builder().clock(clock).build();
 * }</pre>
 */
public interface NipClock {

  /** @return the current wall-clock instant */
  default Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  /** @return the current wall-clock time in epoch milliseconds (hot-path form of {@link #instant()}) */
  long millis();

  /** @return a monotonic nanosecond counter, for measuring durations */
  long nanoTime();

  /**
   * Waits for the given duration; a virtual clock advances itself instead.
   *
   * @param duration how long
   * @throws InterruptedException when the thread is interrupted
   */
  void sleep(Duration duration) throws InterruptedException;

  /** @return the system clock */
  static NipClock system() {
    return SystemClock.INSTANCE;
  }

  /** The real clock. */
  final class SystemClock implements NipClock {
    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long millis() {
      return System.currentTimeMillis();
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      if (!duration.isZero() && !duration.isNegative()) {
        Thread.sleep(duration.toMillis(), (int) (duration.toNanosPart() % 1_000_000));
      }
    }

    @Override
    public String toString() {
      return "system";
    }
  }
}
