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
 * beside each timer's {@link Entry}, so that sifting compares numbers in place instead of following
 * two references per comparison (operators such as the pattern operator add and poll a timer per
 * record, over heaps of tens of thousands of timers). A heap slot is live when its entry is live and
 * still has the slot's registration number (a timer deleted and added again has another), so a
 * timer that falls due is checked without a map lookup.
 *
 * <p>Change tracking (when a changelog keeps the timers, {@link #track()}): the queue remembers
 * which timers were added or removed since the last {@link #drainChanges}, so that a checkpoint
 * writes only those to the timer store, never the whole queue. The marks live on the entries
 * (whether the store holds the timer, and the entry's place in the list of changed ones): tracking
 * costs no map operation of its own. A timer added and removed between two drains is never written,
 * and leaves the list at once (swapped with its last entry), so the list holds only changes to
 * write; one that the store holds and is removed becomes a deletion, its entry kept in the map until
 * the drain (so that adding it again meanwhile knows the store holds it).
 *
 * <p>Without an index ({@link #unindexed()}, for an owner that ignores a timer that is stale or a
 * duplicate when it fires): no map at all, each registration pushes a timer, a deletion does
 * nothing, and a due timer is handed over as it is; registering and firing cost the heap alone.
 *
 * <p>Invariants: {@link #entries} holds every live timer's entry, and with tracking also the dead
 * entries of timers the store holds, until the next drain; an entry is in {@link #changed} exactly
 * at its {@code changedAt}, and only while it is live or the store holds its timer (so the list and
 * the map never hold more than the live timers and the deletions to write). {@link #snapshot()} lists live timers in firing order, and re-adding
 * them in that order reproduces it, so a restored task fires same-time timers in the same order as
 * an uninterrupted one; restoring timers with their registration numbers ({@link #addRestored})
 * reproduces it too. With tracking, the timer store after applying the drained changes holds
 * exactly the live timers and their registration numbers. Threading: confined to the task's thread.
 */
public final class TimerQueue {
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

  /** A timer's registration and change marks. */
  private static final class Entry {
    final Timer timer;
    /** Its registration number while live. */
    long seq;
    boolean live;
    /** With tracking: the timer store holds this timer (as of the last drain). */
    boolean inStore;
    /** With tracking: its index in {@link #changed}, or -1. */
    int changedAt = -1;

    Entry(Timer timer) {
      this.timer = timer;
    }
  }

  private long[] times = new long[16];
  private long[] seqs = new long[16];
  private Entry[] slots = new Entry[16];
  private int heapSize;
  private final Map<Timer, Entry> entries = new HashMap<>();
  private int liveCount;
  private long nextSeq;
  /** Heap slots whose timer was deleted. */
  private int stale;
  private boolean tracking;
  /** No map: registrations are not deduplicated, deletions are ignored (see {@link #unindexed()}). */
  private boolean unindexed;
  /** With tracking: the entries changed since the last drain, each once. */
  private ArrayList<Entry> changed = new ArrayList<>();

  /** Starts tracking changes: the timers live now are taken to be in the timer store already. */
  void track() {
    tracking = true;
    for (Entry e : entries.values()) {
      e.inStore = e.live;
    }
  }

  /**
   * Stops tracking changes and removes every timer: their owner arms them again (see {@link
   * TimerService#deriveFromState}).
   */
  void untrack() {
    clear();
    tracking = false;
  }

  /**
   * Drops the index of timers: from now on a registration always adds a timer (a duplicate fires
   * twice), a deletion does nothing (the timer still fires), and no change is tracked. For owners
   * whose timers are idempotent: a timer that is not their pending one is ignored when it fires.
   * Removes every timer.
   */
  void unindexed() {
    untrack();
    unindexed = true;
  }

  /** @return true when a timer was added or removed since the last {@link #drainChanges} */
  boolean hasChanges() {
    return !changed.isEmpty();
  }

  /**
   * Hands over every change since the last call and starts a new change set.
   *
   * @param added receives a timer added (it is live) and its registration number
   * @param removed receives a timer removed that the store holds
   */
  void drainChanges(java.util.function.ObjLongConsumer<Timer> added, java.util.function.Consumer<Timer> removed) {
    if (!tracking) {
      return;
    }
    for (Entry e : changed) {
      if (e.live) {
        added.accept(e.timer, e.seq);
      } else {
        removed.accept(e.timer); // in the list and not live: the store holds it
      }
    }
    // only once every change was handed over: one that throws leaves them all for the next drain
    for (Entry e : changed) {
      e.changedAt = -1;
      e.inStore = e.live;
      if (!e.live) {
        entries.remove(e.timer); // a dead entry stays mapped only while the store holds its timer
      }
    }
    // sized for as many timers as this interval changed: the next one usually changes as many
    changed = new ArrayList<>(Math.max(16, changed.size()));
  }

  private void markChanged(Entry e) {
    if (e.changedAt < 0) {
      e.changedAt = changed.size();
      changed.add(e);
    }
  }

  /** Takes {@code e} out of the change list, its last entry taking its place. */
  private void unmarkChanged(Entry e) {
    int at = e.changedAt;
    if (at < 0) {
      return;
    }
    Entry last = changed.remove(changed.size() - 1);
    if (last != e) {
      changed.set(at, last);
      last.changedAt = at;
    }
    e.changedAt = -1;
  }

  /** @param timer registers it; a duplicate is ignored */
  public void add(Timer timer) {
    if (unindexed) {
      revive(new Entry(timer), nextSeq++);
      return;
    }
    Entry e = entries.computeIfAbsent(timer, Entry::new); // one map lookup
    if (!e.live) {
      revive(e, nextSeq++);
      if (tracking) {
        markChanged(e);
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
    Entry e = entries.computeIfAbsent(timer, Entry::new);
    if (!e.live) {
      nextSeq = Math.max(nextSeq, seq + 1);
      revive(e, seq);
      e.inStore = true;
    }
  }

  private void revive(Entry e, long seq) {
    e.live = true;
    e.seq = seq;
    liveCount++;
    push(e, seq);
  }

  /** @param timer removes it if registered */
  public void delete(Timer timer) {
    if (unindexed) {
      return; // the owner ignores the timer when it fires
    }
    Entry e = entries.get(timer);
    if (e == null || !e.live) {
      return;
    }
    retire(e);
    if (++stale > COMPACT_MIN && stale > liveCount) {
      heapSize = 0;
      Arrays.fill(slots, null);
      for (Entry live : entries.values()) {
        if (live.live) {
          push(live, live.seq);
        }
      }
      stale = 0;
    }
  }

  /** Ends a live entry: kept (marked) while the store holds its timer, else forgotten. */
  private void retire(Entry e) {
    e.live = false;
    liveCount--;
    if (unindexed) {
      return;
    }
    if (tracking && e.inStore) {
      markChanged(e);
    } else {
      unmarkChanged(e); // added since the drain: the store never saw it
      entries.remove(e.timer);
    }
  }

  /** @return the changes a drain would write now (for tests) */
  int pendingChanges() {
    return changed.size();
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
      Entry e = slots[0];
      long seq = seqs[0];
      removeTop();
      if (e.live && e.seq == seq) {
        retire(e);
        return e.timer;
      }
      stale--;
    }
    return null;
  }

  /** @return the number of live timers */
  public int size() {
    return liveCount;
  }

  /** Removes every timer, and forgets the tracked changes (the timer store is emptied or reloaded too). */
  public void clear() {
    heapSize = 0;
    Arrays.fill(slots, null);
    entries.clear();
    liveCount = 0;
    stale = 0;
    for (Entry e : changed) {
      e.changedAt = -1;
    }
    changed = new ArrayList<>();
  }

  /** @return the live timers in firing order, for snapshots and inspection */
  public List<Timer> snapshot() {
    List<Entry> live = new ArrayList<>(liveCount);
    if (unindexed) {
      for (int i = 0; i < heapSize; i++) {
        if (slots[i].live) {
          live.add(slots[i]);
        }
      }
    }
    for (Entry e : entries.values()) {
      if (e.live) {
        live.add(e);
      }
    }
    live.sort((a, b) -> a.timer.time() != b.timer.time() ? Long.compare(a.timer.time(), b.timer.time())
        : Long.compare(a.seq, b.seq));
    List<Timer> out = new ArrayList<>(live.size());
    for (Entry e : live) {
      out.add(e.timer);
    }
    return out;
  }

  private static boolean before(long t1, long s1, long t2, long s2) {
    return t1 != t2 ? t1 < t2 : s1 < s2;
  }

  private void push(Entry entry, long seq) {
    if (heapSize == times.length) {
      int n = heapSize * 2;
      times = Arrays.copyOf(times, n);
      seqs = Arrays.copyOf(seqs, n);
      slots = Arrays.copyOf(slots, n);
    }
    long t = entry.timer.time();
    int i = heapSize++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(t, seq, times[parent], seqs[parent])) {
        break;
      }
      move(parent, i);
      i = parent;
    }
    set(i, t, seq, entry);
  }

  private void removeTop() {
    int last = --heapSize;
    long t = times[last];
    long seq = seqs[last];
    Entry entry = slots[last];
    slots[last] = null;
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
    set(i, t, seq, entry);
  }

  private void move(int from, int to) {
    times[to] = times[from];
    seqs[to] = seqs[from];
    slots[to] = slots[from];
  }

  private void set(int i, long t, long seq, Entry entry) {
    times[i] = t;
    seqs[i] = seq;
    slots[i] = entry;
  }
}
