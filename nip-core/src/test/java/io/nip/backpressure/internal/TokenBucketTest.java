package io.nip.backpressure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shared token bucket: the burst cap, and the credit of waiting tasks. */
class TokenBucketTest {
  private static final long T0 = 1_000_000L;

  private static int take(TokenBucket bucket, long now, boolean waiting, int max) {
    int n = 0;
    while (n < max && bucket.tryAcquire(now, waiting)) {
      n++;
    }
    return n;
  }

  @Test
  void a_full_bucket_passes_the_burst_and_then_the_rate_and_an_idle_one_caps_at_the_burst() {
    TokenBucket bucket = new TokenBucket(10, 5);
    assertThat(take(bucket, T0, false, 100)).isEqualTo(5);
    assertThat(take(bucket, T0 + 100, false, 100)).isEqualTo(1);
    assertThat(take(bucket, T0 + 10_100, false, 100)).isEqualTo(5); // 10 s idle: the burst, no more
  }

  @Test
  void credit_that_accrued_while_two_tasks_waited_stays_until_the_last_one_stops_waiting() {
    TokenBucket bucket = new TokenBucket(10, 5);
    assertThat(take(bucket, T0, false, 100)).isEqualTo(5);
    bucket.startWaiting(); // task A holds 45 records
    bucket.startWaiting(); // task B holds 50

    assertThat(take(bucket, T0 + 10_000, true, 45)).isEqualTo(45); // 10 s: 100 tokens, A takes its 45
    bucket.stopWaiting(); // A is empty; B still waits
    assertThat(take(bucket, T0 + 10_000, true, 100)).isEqualTo(55); // B gets the rest, not only the burst
    bucket.stopWaiting();
    assertThat(take(bucket, T0 + 10_000, false, 100)).isZero();
  }

  @Test
  void when_the_last_waiter_stops_the_credit_above_the_burst_is_dropped() {
    TokenBucket bucket = new TokenBucket(10, 5);
    assertThat(take(bucket, T0, false, 100)).isEqualTo(5);
    bucket.startWaiting();
    assertThat(take(bucket, T0 + 10_000, true, 10)).isEqualTo(10); // 100 accrued, 10 taken
    bucket.stopWaiting();
    assertThat(take(bucket, T0 + 10_000, false, 100)).isEqualTo(5);
    bucket.stopWaiting(); // an unmatched stop changes nothing
    assertThat(take(bucket, T0 + 10_100, false, 100)).isEqualTo(1);
  }

  @Test
  void another_tasks_plain_acquire_while_one_waits_does_not_cut_the_waiting_tasks_share() {
    TokenBucket bucket = new TokenBucket(10, 5);
    assertThat(take(bucket, T0, false, 100)).isEqualTo(5);
    bucket.startWaiting(); // task B holds records

    assertThat(take(bucket, T0 + 5_000, false, 1)).isEqualTo(1); // task A, not waiting, takes one at +5 s
    assertThat(take(bucket, T0 + 10_000, true, 1_000)).isEqualTo(99); // B at +10 s: the other 99 of 100
    bucket.stopWaiting();
    assertThat(take(bucket, T0 + 20_000, false, 1_000)).isEqualTo(5); // idle again: the burst
  }
}
