package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
  /** Firing order of the reference: time, then registration number. */
  private static final Comparator<Map.Entry<TimerQueue.Timer, Long>> FIRING =
      Comparator.<Map.Entry<TimerQueue.Timer, Long>>comparingLong(e -> e.getKey().time())
          .thenComparingLong(Map.Entry::getValue);

  @Test
  void when_far_future_timers_are_deleted_and_set_again_then_the_heap_stays_bounded() {
    // Given live timers of 10 keys at the end of time
    TimerQueue q = new TimerQueue();
    for (int k = 0; k < 10; k++) {
      q.add(new TimerQueue.Timer(Long.MAX_VALUE, "k" + k, null));
    }
    // When one key's timer is deleted and set again 100,000 times (a round closing and opening)
    for (int i = 0; i < 100_000; i++) {
      q.delete(new TimerQueue.Timer(Long.MAX_VALUE, "k3", null));
      q.add(new TimerQueue.Timer(Long.MAX_VALUE, "k3", null));
    }
    // Then the heap holds the live timers and a bounded number of deleted ones
    assertThat(q.size()).isEqualTo(10);
    assertThat(q.heapSize()).isLessThan(10 + 2 * 65);
    // and they still fire in registration order, k3 last (it was set again last)
    StringBuilder order = new StringBuilder();
    TimerQueue.Timer t;
    while ((t = q.pollDue(Long.MAX_VALUE)) != null) {
      order.append(t.key()).append(' ');
    }
    assertThat(order.toString()).isEqualTo("k0 k1 k2 k4 k5 k6 k7 k8 k9 k3 ");
  }

  @Test
  void deleted_timers_are_skipped_and_a_timer_set_again_fires_once_at_its_new_place() {
    TimerQueue q = new TimerQueue();
    q.add(new TimerQueue.Timer(10, "a", null));
    q.add(new TimerQueue.Timer(10, "b", null));
    q.add(new TimerQueue.Timer(5, "c", null));
    q.delete(new TimerQueue.Timer(10, "a", null));
    q.add(new TimerQueue.Timer(10, "a", null));
    assertThat(q.pollDue(10)).isEqualTo(new TimerQueue.Timer(5, "c", null));
    assertThat(q.pollDue(10)).isEqualTo(new TimerQueue.Timer(10, "b", null));
    assertThat(q.pollDue(10)).isEqualTo(new TimerQueue.Timer(10, "a", null));
    assertThat(q.pollDue(10)).isNull();
    assertThat(q.heapSize()).isZero();
  }

  @Test
  void random_adds_deletes_and_polls_fire_like_a_sorted_reference() {
    // Given a reference: live timers with their registration number, fired by (time, number)
    Random r = new Random(11);
    TimerQueue q = new TimerQueue();
    Map<TimerQueue.Timer, Long> ref = new HashMap<>();
    long seq = 0;
    long now = 0;
    StringBuilder expected = new StringBuilder();
    StringBuilder actual = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      // When timers of 300 keys are added, deleted and polled at random, with many same-time ties
      TimerQueue.Timer t = new TimerQueue.Timer(now + r.nextInt(50), "k" + r.nextInt(300), null);
      int op = r.nextInt(10);
      if (op < 5) {
        q.add(t);
        if (!ref.containsKey(t)) {
          ref.put(t, seq++);
        }
      } else if (op < 7) {
        q.delete(t);
        ref.remove(t);
      } else {
        now += r.nextInt(5);
        long at = now;
        TimerQueue.Timer due = ref.entrySet().stream().filter(e -> e.getKey().time() <= at).min(FIRING)
            .map(Map.Entry::getKey).orElse(null);
        if (due != null) {
          ref.remove(due);
        }
        expected.append(due).append('\n');
        actual.append(q.pollDue(now)).append('\n');
      }
    }
    // Then the same timers fire in the same order, and the same ones are left, in firing order
    assertThat(actual.toString()).isEqualTo(expected.toString());
    assertThat(q.size()).isEqualTo(ref.size());
    assertThat(q.snapshot()).containsExactlyElementsOf(ref.entrySet().stream().sorted(FIRING).map(Map.Entry::getKey)
        .toList());
  }

  @Test
  void when_changes_are_tracked_then_the_drained_store_always_restores_the_live_timers_in_firing_order() {
    for (long seed = 1; seed <= 20; seed++) {
      // Given: a tracked queue and the timer store its drains write to
      Random random = new Random(seed);
      TimerQueue q = new TimerQueue();
      q.track();
      Map<TimerQueue.Timer, Long> store = new HashMap<>();
      int written = 0;
      long now = 0;
      for (int step = 0; step < 5_000; step++) {
        // When: timers of 4 keys at 5 times are added, deleted and fired at random (the same timer often
        // several times between two drains), drained now and then
        TimerQueue.Timer t = new TimerQueue.Timer(now + random.nextInt(5), "k" + random.nextInt(4),
            random.nextBoolean() ? null : "ns");
        int op = random.nextInt(20);
        if (op < 10) {
          q.add(t);
        } else if (op < 17) {
          q.delete(t);
        } else if (op < 19) {
          now += random.nextInt(3);
          q.pollDue(now);
        } else {
          int[] count = {0};
          q.drainChanges((timer, seq) -> {
            store.put(timer, seq);
            count[0]++;
          }, timer -> {
            assertThat(store.remove(timer)).as("a removal is only sent for a timer the store holds").isNotNull();
            count[0]++;
          });
          written += count[0];
          assertThat(q.hasChanges()).isFalse();
          // Then: the store holds exactly the live timers, and a queue restored from it fires in the same order
          TimerQueue restored = new TimerQueue();
          store.forEach(restored::addRestored);
          assertThat(restored.snapshot()).as("seed " + seed + ", step " + step).isEqualTo(q.snapshot());
        }
      }
      assertThat(written).as("changes written").isPositive();
    }
  }

  @Test
  void when_a_timer_is_added_and_fired_between_two_drains_then_nothing_is_written() {
    TimerQueue q = new TimerQueue();
    q.track();
    q.add(new TimerQueue.Timer(5, "a", null));
    q.add(new TimerQueue.Timer(7, "b", null));
    q.delete(new TimerQueue.Timer(7, "b", null));
    assertThat(q.pollDue(10)).isEqualTo(new TimerQueue.Timer(5, "a", null));
    assertThat(q.hasChanges()).isFalse();
  }

  @Test
  void when_timers_are_added_and_removed_again_between_two_drains_then_the_change_set_does_not_grow() {
    // Given: a tracked queue whose store holds one timer
    TimerQueue q = new TimerQueue();
    q.track();
    TimerQueue.Timer stored = new TimerQueue.Timer(1_000_000, "stored", null);
    q.add(stored);
    q.drainChanges((t, seq) -> { }, t -> { });

    // When: 100,000 times a timer is added and deleted, or added and fired, with no drain between
    for (int i = 0; i < 100_000; i++) {
      TimerQueue.Timer t = new TimerQueue.Timer(i, "k" + (i % 3), null);
      q.add(t);
      if (i % 2 == 0) {
        q.delete(t);
      } else {
        assertThat(q.pollDue(i)).isEqualTo(t);
      }
    }

    // Then: nothing to write, and the stored timer's deletion and re-registration are one change each time
    assertThat(q.pendingChanges()).isZero();
    assertThat(q.hasChanges()).isFalse();
    for (int i = 0; i < 1_000; i++) {
      q.delete(stored);
      q.add(stored);
    }
    assertThat(q.pendingChanges()).isEqualTo(1);
    assertThat(q.size()).isEqualTo(1);
  }

  @Test
  void when_a_drain_fails_part_way_then_the_next_drain_writes_every_change_again() {
    // Given: a tracked queue with two timers in its store, one of them deleted, and a timer added
    TimerQueue q = new TimerQueue();
    q.track();
    TimerQueue.Timer a = new TimerQueue.Timer(5, "a", null);
    TimerQueue.Timer b = new TimerQueue.Timer(6, "b", null);
    TimerQueue.Timer c = new TimerQueue.Timer(7, "c", null);
    q.add(a);
    q.add(b);
    Map<TimerQueue.Timer, Long> store = new HashMap<>();
    q.drainChanges(store::put, store::remove);
    q.delete(a);
    q.add(c);

    // When: a drain whose writer fails at the second change, then one that succeeds
    int[] calls = {0};
    try {
      q.drainChanges((t, seq) -> {
        if (++calls[0] == 2) {
          throw new IllegalStateException("writer failed");
        }
      }, t -> {
        if (++calls[0] == 2) {
          throw new IllegalStateException("writer failed");
        }
      });
    } catch (IllegalStateException expected) {
      // the checkpoint fails; its changes must go with the next one
    }
    q.drainChanges(store::put, store::remove);

    // Then: the store holds exactly the live timers
    TimerQueue restored = new TimerQueue();
    store.forEach(restored::addRestored);
    assertThat(restored.snapshot()).containsExactly(b, c).isEqualTo(q.snapshot());
  }

  @Test
  void when_the_queue_has_no_index_then_duplicates_fire_each_deletions_change_nothing_and_order_holds() {
    // Given: a queue without an index
    TimerQueue q = new TimerQueue();
    q.unindexed();
    // When: a timer registered twice, one deleted, and others at the same and at earlier times
    q.add(new TimerQueue.Timer(20, "a", null));
    q.add(new TimerQueue.Timer(10, "b", null));
    q.add(new TimerQueue.Timer(20, "a", null));
    q.add(new TimerQueue.Timer(20, "c", null));
    q.delete(new TimerQueue.Timer(10, "b", null));
    // Then: every registration fires, in time order and then registration order
    assertThat(q.size()).isEqualTo(4);
    assertThat(q.snapshot()).extracting(TimerQueue.Timer::key).containsExactly("b", "a", "a", "c");
    StringBuilder order = new StringBuilder();
    TimerQueue.Timer t;
    while ((t = q.pollDue(20)) != null) {
      order.append(t.key()).append(t.time()).append(' ');
    }
    assertThat(order.toString()).isEqualTo("b10 a20 a20 c20 ");
    assertThat(q.size()).isZero();
    assertThat(q.hasChanges()).isFalse();
  }
}
