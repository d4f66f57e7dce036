package io.nip.runtime.internal;

import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Timers of one operator in one task, for one time domain: ordered by time, deduplicated per
 * (time, key, namespace). Deleting is lazy: the timer stays in the heap but is skipped when due.
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

  private final PriorityQueue<Timer> heap = new PriorityQueue<>((a, b) -> Long.compare(a.time, b.time));
  private final Set<Timer> live = new HashSet<>();

  /** @param timer registers it; a duplicate is ignored */
  public void add(Timer timer) {
    if (live.add(timer)) {
      heap.add(timer);
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
    while (!heap.isEmpty() && heap.peek().time <= upTo) {
      Timer t = heap.poll();
      if (live.remove(t)) {
        return t;
      }
    }
    return null;
  }

  /** @return the number of live timers */
  public int size() {
    return live.size();
  }

  /** @return a copy of the live timers, for snapshots and inspection */
  public Set<Timer> snapshot() {
    return new HashSet<>(live);
  }
}
