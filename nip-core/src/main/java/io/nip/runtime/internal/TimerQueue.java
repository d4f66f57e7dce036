package io.nip.runtime.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Timers of one operator in one task, for one time domain: ordered by time, then by registration
 * order, deduplicated per (time, key, namespace). Deleting is lazy: the timer stays in the heap but
 * is skipped when due; once deleted timers outnumber live ones (and are more than a few), the heap
 * is rebuilt from the live ones, so timers deleted far ahead of their time (a timer at the end of
 * time, deleted and set again over and over) cannot make it grow without bound.
 *
 * <p>Invariant: {@link #snapshot()} lists live timers in firing order, and re-adding them in that
 * order reproduces it, so a restored task fires same-time timers in the same order as an
 * uninterrupted one.
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

  private record Slot(Timer timer, long seq) {}

  private final PriorityQueue<Slot> heap = new PriorityQueue<>((a, b) -> a.timer.time != b.timer.time
      ? Long.compare(a.timer.time, b.timer.time) : Long.compare(a.seq, b.seq));
  private final Map<Timer, Long> live = new HashMap<>();
  private long nextSeq;
  /** Heap slots whose timer was deleted. */
  private int stale;

  /** @param timer registers it; a duplicate is ignored */
  public void add(Timer timer) {
    if (!live.containsKey(timer)) {
      long seq = nextSeq++;
      live.put(timer, seq);
      heap.add(new Slot(timer, seq));
    }
  }

  /** @param timer removes it if registered */
  public void delete(Timer timer) {
    if (live.remove(timer) != null && ++stale > COMPACT_MIN && stale > live.size()) {
      heap.clear();
      for (Map.Entry<Timer, Long> e : live.entrySet()) {
        heap.add(new Slot(e.getKey(), e.getValue()));
      }
      stale = 0;
    }
  }

  /** @return heap slots, live and deleted (for tests) */
  int heapSize() {
    return heap.size();
  }

  /**
   * @param upTo inclusive time bound
   * @return the earliest live timer with time at most {@code upTo}, removed; or null
   */
  public Timer pollDue(long upTo) {
    while (!heap.isEmpty() && heap.peek().timer.time <= upTo) {
      Slot s = heap.poll();
      Long seq = live.get(s.timer);
      if (seq != null && seq == s.seq) {
        live.remove(s.timer);
        return s.timer;
      }
      stale--;
    }
    return null;
  }

  /** @return the number of live timers */
  public int size() {
    return live.size();
  }

  /** Removes every timer. */
  public void clear() {
    heap.clear();
    live.clear();
    stale = 0;
  }

  /** @return the live timers in firing order, for snapshots and inspection */
  public List<Timer> snapshot() {
    List<Slot> slots = new ArrayList<>(live.size());
    for (Map.Entry<Timer, Long> e : live.entrySet()) {
      slots.add(new Slot(e.getKey(), e.getValue()));
    }
    slots.sort(heap.comparator());
    List<Timer> out = new ArrayList<>(slots.size());
    for (Slot s : slots) {
      out.add(s.timer);
    }
    return out;
  }
}
