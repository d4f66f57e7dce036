package io.nip.cep.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything the pattern operator keeps for one key, as one state value, so that an event costs
 * one state read and one state write: the events waiting for the watermark, the shared buffer of
 * the events some partial match took, the live partial matches, the counter that numbers the
 * key's evaluated events, and the event-time timers the key has registered.
 *
 * <p>Why one value: with the pending events and the shared buffer in stores of their own, an event
 * cost a put into {@code pending}, a read and a delete there once evaluated, and puts and deletes
 * in {@code events} — each with its key serialized, a cache entry and, on eviction, a RocksDB
 * write. A durable backend's write cache keeps this object live and serializes it
 * ({@link KeyStateSerde}) only when it leaves the cache or is checkpointed.
 *
 * <p>Invariants: pending entries are sorted by time, ties in arrival order (a new arrival goes
 * after its ties); buffer entries are sorted by position and are exactly the events the partial
 * matches refer to once {@link #retainReferenced} ran; positions are given in evaluation order and
 * never reused. {@link #evalTimer} and {@link #expiryTimer} are the times the key wants to be woken
 * at (or {@link #NO_TIMER}); every distinct one of them is a registered event-time timer of the
 * key. Confined to the task's thread.
 */
public final class KeyState {
  /** No timer. */
  static final long NO_TIMER = Long.MIN_VALUE;
  private static final long[] NO_LONGS = new long[0];
  private static final Object[] NO_OBJECTS = new Object[0];

  long nextPos;
  long[] pendingTs = NO_LONGS;
  Object[] pendingEvents = NO_OBJECTS;
  int pendingSize;
  long[] bufferPos = NO_LONGS;
  Object[] bufferEvents = NO_OBJECTS;
  int bufferSize;
  List<Partial> partials = new ArrayList<>(2);
  /** Just after the first pending event's time: evaluate it. */
  long evalTimer = NO_TIMER;
  /** Just after the earliest time a partial match can no longer progress (or its absence deadline). */
  long expiryTimer = NO_TIMER;

  /** Adds an event waiting for the watermark, after the pending events with the same time. */
  void addPending(long ts, Object event) {
    if (pendingSize == pendingTs.length) {
      int n = Math.max(2, pendingSize * 2);
      pendingTs = Arrays.copyOf(pendingTs, n);
      pendingEvents = Arrays.copyOf(pendingEvents, n);
    }
    int i = pendingSize;
    while (i > 0 && pendingTs[i - 1] > ts) {
      i--;
    }
    System.arraycopy(pendingTs, i, pendingTs, i + 1, pendingSize - i);
    System.arraycopy(pendingEvents, i, pendingEvents, i + 1, pendingSize - i);
    pendingTs[i] = ts;
    pendingEvents[i] = event;
    pendingSize++;
  }

  /** @param n how many of the first pending events were evaluated (or dropped): removes them */
  void removePending(int n) {
    if (n == 0) {
      return;
    }
    System.arraycopy(pendingTs, n, pendingTs, 0, pendingSize - n);
    System.arraycopy(pendingEvents, n, pendingEvents, 0, pendingSize - n);
    Arrays.fill(pendingEvents, pendingSize - n, pendingSize, null);
    pendingSize -= n;
  }

  /** Adds a taken event to the shared buffer; its position is larger than any buffered one. */
  void addToBuffer(long position, Object event) {
    if (bufferSize == bufferPos.length) {
      int n = Math.max(4, bufferSize * 2);
      bufferPos = Arrays.copyOf(bufferPos, n);
      bufferEvents = Arrays.copyOf(bufferEvents, n);
    }
    bufferPos[bufferSize] = position;
    bufferEvents[bufferSize] = event;
    bufferSize++;
  }

  /**
   * @param position an event's position
   * @return the buffered event at that position, or null
   */
  Object buffered(long position) {
    int i = Arrays.binarySearch(bufferPos, 0, bufferSize, position);
    return i >= 0 ? bufferEvents[i] : null;
  }

  /** Drops from the shared buffer every event no partial match refers to any more. */
  void retainReferenced() {
    if (bufferSize == 0) {
      return;
    }
    boolean[] keep = new boolean[bufferSize];
    for (Partial p : partials) {
      for (long pos : p.positions) {
        int i = Arrays.binarySearch(bufferPos, 0, bufferSize, pos);
        if (i >= 0) {
          keep[i] = true;
        }
      }
    }
    int n = 0;
    for (int i = 0; i < bufferSize; i++) {
      if (keep[i]) {
        bufferPos[n] = bufferPos[i];
        bufferEvents[n] = bufferEvents[i];
        n++;
      }
    }
    Arrays.fill(bufferEvents, n, bufferSize, null);
    bufferSize = n;
  }

  /** @return true when the key holds nothing: its state can be deleted */
  boolean isEmpty() {
    return pendingSize == 0 && partials.isEmpty() && bufferSize == 0;
  }

  /** @return the number of live partial matches (absences waiting included) */
  public int partialCount() {
    return partials.size();
  }

  /** @return the number of events waiting for the watermark */
  public int pendingCount() {
    return pendingSize;
  }

  /** @return the number of events in the shared buffer (each taken by at least one partial match) */
  public int bufferedCount() {
    return bufferSize;
  }
}
