package io.nip.runtime.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Timers of one operator in one task, for one time domain: ordered by time, then by registration
 * order, deduplicated per (time, key, namespace). Deleting is lazy: the timer stays in the heap but
 * is skipped when due.
 *
 * <p>Invariant: {@link #snapshot()} lists live timers in firing order, and re-adding them in that
 * order reproduces it, so a restored task fires same-time timers in the same order as an
 * uninterrupted one.
 */
public final class TimerQueue {
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
    live.remove(timer);
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
