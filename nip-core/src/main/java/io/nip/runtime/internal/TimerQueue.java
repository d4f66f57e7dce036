package io.nip.runtime.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Timers of one operator in one task, for one time domain: ordered by time, then by registration
 * order, deduplicated per (time, key, namespace). Deleting is lazy: the timer stays in the heap but
 * is skipped when due; once deleted timers outnumber live ones (and are more than a few), the heap
 * is rebuilt from the live ones, so timers deleted far ahead of their time (a timer at the end of
 * time, deleted and set again over and over) cannot make it grow without bound.
 *
 * <p>Design: a binary min-heap over parallel arrays of primitive times and registration numbers,
 * beside the timers themselves, so that sifting compares numbers in place instead of following two
 * references per comparison (operators such as the pattern operator add and poll a timer per
 * record, over heaps of tens of thousands of timers). The live map gives each timer its
 * registration number: a heap entry whose number is not the live one was deleted.
 *
 * <p>Change tracking (when a changelog keeps the timers, {@link #track()}): the queue remembers
 * which timers were added or removed since the last {@link #drainChanges}, so that a checkpoint
 * writes only those to the timer store, never the whole queue. A timer added and removed between
 * two drains is never written; one that was in the store and is removed becomes a deletion.
 *
 * <p>Invariants: {@link #snapshot()} lists live timers in firing order, and re-adding them in that
 * order reproduces it, so a restored task fires same-time timers in the same order as an
 * uninterrupted one; restoring timers with their registration numbers ({@link #addRestored})
 * reproduces it too. With tracking, the timer store after applying the drained changes holds
 * exactly the live timers and their registration numbers.
 */
public final class TimerQueue {
  /** A tracked change: the timer was removed, and it is in the timer store. */
  static final long REMOVED = -1;
  /** Deleted slots tolerated before a rebuild is considered. */
  private static final int COMPACT_MIN = 64;
  /**
   * One timer.
   *
   * @param time epoch millis
   * @param key the key it belongs to
   * @param namespace what it is for within the key (e.g. a window), or null
   */
  public record Timer(long time, Object key, Object namespace) {}

  private long[] times = new long[16];
  private long[] seqs = new long[16];
  private Timer[] timers = new Timer[16];
  private int heapSize;
  private final Map<Timer, Long> live = new HashMap<>();
  private long nextSeq;
  /** Heap slots whose timer was deleted. */
  private int stale;
  /**
   * With tracking: per timer changed since the last drain, {@link #REMOVED}, or {@code 2 * seq + 1}
   * when it was added and the store also holds an earlier registration of it (removed meanwhile),
   * or {@code 2 * seq} when the store does not hold it. Null without tracking.
   */
  private Map<Timer, Long> changes;

  /** Starts tracking changes: the timers live now are taken to be in the timer store already. */
  void track() {
    changes = new HashMap<>();
  }

  /** @return true when a timer was added or removed since the last {@link #drainChanges} */
  boolean hasChanges() {
    return changes != null && !changes.isEmpty();
  }

  /**
   * Hands over every change since the last call and starts a new change set.
   *
   * @param added receives a timer added (it is live) and its registration number
   * @param removed receives a timer removed that the store holds
   */
  void drainChanges(java.util.function.ObjLongConsumer<Timer> added, java.util.function.Consumer<Timer> removed) {
    if (changes == null) {
      return;
    }
    for (Map.Entry<Timer, Long> e : changes.entrySet()) {
      long c = e.getValue();
      if (c == REMOVED) {
        removed.accept(e.getKey());
      } else {
        added.accept(e.getKey(), c >>> 1);
      }
    }
    changes = new HashMap<>();
  }

  private void tracked(Timer timer, long seq) {
    Long before = changes.get(timer);
    changes.put(timer, 2 * seq + (before != null && before == REMOVED ? 1 : 0));
  }

  private void untracked(Timer timer) {
    Long before = changes.get(timer);
    if (before == null || (before & 1) == 1) {
      changes.put(timer, REMOVED); // the store holds it (unchanged since the drain, or an earlier registration)
    } else {
      changes.remove(timer); // added since the drain: the store never saw it
    }
  }

  /** @param timer registers it; a duplicate is ignored */
  public void add(Timer timer) {
    Long seq = nextSeq; // one map lookup
    if (live.putIfAbsent(timer, seq) == null) {
      nextSeq++;
      push(timer, seq);
      if (changes != null) {
        tracked(timer, seq);
      }
    }
  }

  /**
   * Puts back a timer read from the timer store, with its registration number; not tracked (the
   * store holds it). Later registrations get higher numbers.
   *
   * @param timer the timer
   * @param seq its registration number, at least 0
   */
  void addRestored(Timer timer, long seq) {
    if (live.putIfAbsent(timer, seq) == null) {
      nextSeq = Math.max(nextSeq, seq + 1);
      push(timer, seq);
    }
  }

  /** @param timer removes it if registered */
  public void delete(Timer timer) {
    if (live.remove(timer) == null) {
      return;
    }
    if (changes != null) {
      untracked(timer);
    }
    if (++stale > COMPACT_MIN && stale > live.size()) {
      heapSize = 0;
      Arrays.fill(timers, null);
      for (Map.Entry<Timer, Long> e : live.entrySet()) {
        push(e.getKey(), e.getValue());
      }
      stale = 0;
    }
  }

  /** @return heap slots, live and deleted (for tests) */
  int heapSize() {
    return heapSize;
  }

  /**
   * @param upTo inclusive time bound
   * @return the earliest live timer with time at most {@code upTo}, removed; or null
   */
  public Timer pollDue(long upTo) {
    while (heapSize > 0 && times[0] <= upTo) {
      Timer t = timers[0];
      long seq = seqs[0];
      removeTop();
      if (live.remove(t, seq)) { // one map lookup; a timer deleted and added again has another number
        if (changes != null) {
          untracked(t);
        }
        return t;
      }
      stale--;
    }
    return null;
  }

  /** @return the number of live timers */
  public int size() {
    return live.size();
  }

  /** Removes every timer, and forgets the tracked changes (the timer store is emptied or reloaded too). */
  public void clear() {
    heapSize = 0;
    Arrays.fill(timers, null);
    live.clear();
    stale = 0;
    if (changes != null) {
      changes = new HashMap<>();
    }
  }

  /** @return the live timers in firing order, for snapshots and inspection */
  public List<Timer> snapshot() {
    List<Map.Entry<Timer, Long>> entries = new ArrayList<>(live.entrySet());
    entries.sort((a, b) -> a.getKey().time() != b.getKey().time() ? Long.compare(a.getKey().time(), b.getKey().time())
        : Long.compare(a.getValue(), b.getValue()));
    List<Timer> out = new ArrayList<>(entries.size());
    for (Map.Entry<Timer, Long> e : entries) {
      out.add(e.getKey());
    }
    return out;
  }

  private static boolean before(long t1, long s1, long t2, long s2) {
    return t1 != t2 ? t1 < t2 : s1 < s2;
  }

  private void push(Timer timer, long seq) {
    if (heapSize == times.length) {
      int n = heapSize * 2;
      times = Arrays.copyOf(times, n);
      seqs = Arrays.copyOf(seqs, n);
      timers = Arrays.copyOf(timers, n);
    }
    long t = timer.time();
    int i = heapSize++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(t, seq, times[parent], seqs[parent])) {
        break;
      }
      move(parent, i);
      i = parent;
    }
    set(i, t, seq, timer);
  }

  private void removeTop() {
    int last = --heapSize;
    long t = times[last];
    long seq = seqs[last];
    Timer timer = timers[last];
    timers[last] = null;
    if (last == 0) {
      return;
    }
    int i = 0;
    int half = last >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < last && before(times[right], seqs[right], times[child], seqs[child])) {
        child = right;
      }
      if (!before(times[child], seqs[child], t, seq)) {
        break;
      }
      move(child, i);
      i = child;
    }
    set(i, t, seq, timer);
  }

  private void move(int from, int to) {
    times[to] = times[from];
    seqs[to] = seqs[from];
    timers[to] = timers[from];
  }

  private void set(int i, long t, long seq, Timer timer) {
    times[i] = t;
    seqs[i] = seq;
    timers[i] = timer;
  }
}
