package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimerQueueTest {

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
}
