package io.nip.window;

import java.time.Instant;

/**
 * One result of a keyed window.
 *
 * @param key the key
 * @param start window start (inclusive)
 * @param end window end (exclusive)
 * @param value the aggregate
 * @param firing whether this is a speculative, on-time or late update result
 * @param <K> key type
 * @param <R> result type
 */
public record WindowResult<K, R>(K key, Instant start, Instant end, R value, Firing firing) {

  /** Why a result was emitted. */
  public enum Firing {
    /** Before the window closed ({@code emitEarly}); a final result follows. */
    EARLY,
    /** The watermark passed the window end: the final result. */
    ON_TIME,
    /** A late event within the allowed lateness changed an already final result. */
    LATE_UPDATE
  }

  /** @return true for {@link Firing#EARLY} results */
  public boolean isSpeculative() {
    return firing == Firing.EARLY;
  }

  /** @return the window as a value */
  public Window window() {
    return new Window(start, end);
  }
}
