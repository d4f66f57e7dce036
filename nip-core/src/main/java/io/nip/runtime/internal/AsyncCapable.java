package io.nip.runtime.internal;

/**
 * Capability of an operator with calls in flight outside the task thread (mapAsync). A
 * single-threaded run is not settled while such a call is pending.
 */
public interface AsyncCapable {
  /** @return the number of calls started and not yet emitted */
  int inFlight();

  /** Waits a short, bounded time (at most 10 ms) for some call to complete. */
  void awaitCompletion();
}
