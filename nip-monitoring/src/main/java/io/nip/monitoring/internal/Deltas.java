package io.nip.monitoring.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.nip.time.NipClock;

/**
 * Records read and errors counted since the previous reading, and the time between the two: the
 * engine's counters only grow, so rates come from differences. Each user of rates (the statistics,
 * each error-rate check) holds its own instance, so one reading never shortens another's window.
 *
 * <p>Threading: {@link #next()} is synchronized; readers may sit on any thread.
 */
public final class Deltas {
  /**
   * What happened between two readings.
   *
   * @param millis the clock time between them
   * @param records records read by sources
   * @param errors records whose processing failed
   */
  public record Window(long millis, double records, double errors) {
    /** @return errors per record read, 0 when nothing was read */
    public double errorRate() {
      return records > 0 ? errors / records : errors > 0 ? 1.0 : 0.0;
    }

    /** @return records read per second, 0 when no time passed */
    public double recordsPerSecond() {
      return millis > 0 ? records * 1000.0 / millis : 0.0;
    }
  }

  private final MeterRegistry registry;
  private final NipClock clock;
  private long lastMillis;
  private double lastRecords;
  private double lastErrors;

  /**
   * Starts the first window now.
   *
   * @param registry where the engine's meters are
   * @param clock the clock that measures the windows
   */
  public Deltas(MeterRegistry registry, NipClock clock) {
    this.registry = registry;
    this.clock = clock;
    this.lastMillis = clock.millis();
    this.lastRecords = Readings.counterSum(registry, Readings.SOURCE_RECORDS);
    this.lastErrors = Readings.counterSum(registry, Readings.ERRORS);
  }

  /** @return what happened since the previous call (or since construction), and starts the next window */
  public synchronized Window next() {
    long now = clock.millis();
    double records = Readings.counterSum(registry, Readings.SOURCE_RECORDS);
    double errors = Readings.counterSum(registry, Readings.ERRORS);
    Window w = new Window(now - lastMillis, records - lastRecords, errors - lastErrors);
    lastMillis = now;
    lastRecords = records;
    lastErrors = errors;
    return w;
  }
}
