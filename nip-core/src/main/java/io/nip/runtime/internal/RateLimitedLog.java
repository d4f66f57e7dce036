package io.nip.runtime.internal;

import io.nip.time.NipClock;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Logs a repeated warning at most once per interval, saying how many were suppressed in between.
 * Confined to one thread.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long intervalMillis;
  private final NipClock clock;
  private long lastLogged = Long.MIN_VALUE;
  private long suppressed;

  /**
   * @param log where to write
   * @param interval at most one warning per interval
   * @param clock the pipeline clock
   */
  public RateLimitedLog(Logger log, Duration interval, NipClock clock) {
    this.log = log;
    this.intervalMillis = interval.toMillis();
    this.clock = clock;
  }

  /**
   * @param format SLF4J format
   * @param args its arguments
   */
  public void warn(String format, Object... args) {
    long now = clock.millis();
    if (lastLogged != Long.MIN_VALUE && now - lastLogged < intervalMillis) {
      suppressed++;
      return;
    }
    if (suppressed > 0) {
      log.warn("({} similar warnings suppressed)", suppressed);
      suppressed = 0;
    }
    lastLogged = now;
    log.warn(format, args);
  }
}
