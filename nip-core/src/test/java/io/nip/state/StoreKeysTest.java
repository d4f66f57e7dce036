package io.nip.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shared window and session key layout: round trips, and byte order equal to (key, start, end) order. */
class StoreKeysTest {

  @Test
  void when_keys_are_encoded_then_they_decode_back() {
    byte[] key = {0, 1, 0, 0, (byte) 0xFF, 0};
    byte[] w = StoreKeys.window(key, Instant.ofEpochMilli(-42));
    assertThat(StoreKeys.key(w)).containsExactly(key);
    assertThat(StoreKeys.windowStart(w)).isEqualTo(Instant.ofEpochMilli(-42));
    byte[] s = StoreKeys.session(key, Instant.ofEpochMilli(5), Instant.ofEpochMilli(9));
    assertThat(StoreKeys.key(s)).containsExactly(key);
    assertThat(StoreKeys.sessionStart(s)).isEqualTo(Instant.ofEpochMilli(5));
    assertThat(StoreKeys.sessionEnd(s)).isEqualTo(Instant.ofEpochMilli(9));
    assertThat(w).startsWith(StoreKeys.prefix(key));
  }

  @Test
  void when_instants_lie_beyond_long_milliseconds_then_they_are_clamped() {
    assertThat(StoreKeys.millis(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
    assertThat(StoreKeys.millis(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    assertThat(StoreKeys.millis(Instant.ofEpochMilli(7).plusNanos(999))).isEqualTo(7);
  }

  @Test
  void when_random_keys_and_times_are_compared_then_byte_order_is_key_order_then_time_order() {
    Random r = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] k1 = randomKey(r);
      byte[] k2 = randomKey(r);
      long t1 = randomTime(r);
      long t2 = randomTime(r);
      int expected = Arrays.compareUnsigned(k1, k2);
      if (expected == 0) {
        expected = Long.compare(t1, t2);
      }
      int actual = Arrays.compareUnsigned(StoreKeys.window(k1, Instant.ofEpochMilli(t1)),
          StoreKeys.window(k2, Instant.ofEpochMilli(t2)));
      assertThat(Integer.signum(actual)).as("%s@%d vs %s@%d", Arrays.toString(k1), t1, Arrays.toString(k2), t2)
          .isEqualTo(Integer.signum(expected));
    }
  }

  @Test
  void when_bytes_are_not_a_window_key_then_decoding_fails() {
    assertThatThrownBy(() -> StoreKeys.key(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] randomKey(Random r) {
    byte[] k = new byte[r.nextInt(4)];
    for (int j = 0; j < k.length; j++) {
      int pick = r.nextInt(4);
      k[j] = pick == 0 ? 0 : pick == 1 ? (byte) 0xFF : pick == 2 ? 1 : (byte) r.nextInt(256);
    }
    return k;
  }

  private static long randomTime(Random r) {
    int pick = r.nextInt(5);
    return pick == 0 ? Long.MIN_VALUE : pick == 1 ? Long.MAX_VALUE : pick == 2 ? 0 : r.nextInt(2001) - 1000;
  }
}
