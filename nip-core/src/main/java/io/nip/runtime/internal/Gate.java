package io.nip.runtime.internal;

/**
 * A capability of operators that may hold records back for a while (a rate limiter without tokens)
 * instead of passing them on at once. A task whose chain contains a gate feeds its input one record
 * at a time and stops feeding while any gate holds a record: the task yields its worker and its
 * source is not read (backpressure), so a gate holds at most what one input record produced.
 *
 * <p>Contract: while it holds records a gate also holds the watermarks that reach it and forwards
 * them after the records; the tasks send it a barrier only when no gate holds anything (so a
 * snapshot never misses a held record); at {@code finish} it passes what it holds at once.
 * Called on the task's thread only.
 */
public interface Gate {
  /** @return true while the gate holds records it could not pass yet */
  boolean holding();

  /**
   * Passes held records downstream as far as the gate allows now.
   *
   * @param nowMillis the pipeline clock, epoch millis
   */
  void release(long nowMillis);
}
