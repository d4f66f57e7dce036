package io.nip.cep.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything the NFA keeps for one key besides the event bodies: the counters that number the
 * key's events, the pending (not yet evaluated) events' times and arrival numbers in event-time
 * order, and the live partial matches. Stored as one value per key (see {@link KeyStateSerde});
 * event bodies are in the operator's {@code pending} and {@code events} stores.
 *
 * <p>Invariants: pending entries are sorted by (time, arrival number); a new arrival has the
 * largest number, so ties keep arrival order. Positions are given in evaluation order and never
 * reused. Confined to the task's thread while it is being changed.
 */
public final class KeyState {
  long nextSeq;
  long nextPos;
  long[] pendingTs = new long[4];
  long[] pendingSeq = new long[4];
  int pendingSize;
  List<Partial> partials = new ArrayList<>();

  void addPending(long ts, long seq) {
    if (pendingSize == pendingTs.length) {
      pendingTs = Arrays.copyOf(pendingTs, pendingSize * 2);
      pendingSeq = Arrays.copyOf(pendingSeq, pendingSize * 2);
    }
    int i = pendingSize;
    while (i > 0 && pendingTs[i - 1] > ts) {
      i--;
    }
    System.arraycopy(pendingTs, i, pendingTs, i + 1, pendingSize - i);
    System.arraycopy(pendingSeq, i, pendingSeq, i + 1, pendingSize - i);
    pendingTs[i] = ts;
    pendingSeq[i] = seq;
    pendingSize++;
  }

  /** Puts back the entry {@link #removeFirstPending} removed, ahead of its ties. */
  void restoreFirstPending(long ts, long seq) {
    if (pendingSize == pendingTs.length) {
      pendingTs = Arrays.copyOf(pendingTs, pendingSize * 2);
      pendingSeq = Arrays.copyOf(pendingSeq, pendingSize * 2);
    }
    System.arraycopy(pendingTs, 0, pendingTs, 1, pendingSize);
    System.arraycopy(pendingSeq, 0, pendingSeq, 1, pendingSize);
    pendingTs[0] = ts;
    pendingSeq[0] = seq;
    pendingSize++;
  }

  boolean hasPendingUpTo(long bound) {
    return pendingSize > 0 && pendingTs[0] <= bound;
  }

  void removeFirstPending() {
    System.arraycopy(pendingTs, 1, pendingTs, 0, pendingSize - 1);
    System.arraycopy(pendingSeq, 1, pendingSeq, 0, pendingSize - 1);
    pendingSize--;
  }

  boolean isEmpty() {
    return pendingSize == 0 && partials.isEmpty();
  }

  /** @return the number of live partial matches (absences waiting included) */
  public int partialCount() {
    return partials.size();
  }

  /** @return the number of events waiting for the watermark */
  public int pendingCount() {
    return pendingSize;
  }
}
