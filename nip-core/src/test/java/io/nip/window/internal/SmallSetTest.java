package io.nip.window.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmallSetTest {

  @Test
  void it_behaves_like_a_hash_set_below_and_above_the_array_limit() {
    Random r = new Random(3);
    for (int round = 0; round < 200; round++) {
      int distinct = 1 + r.nextInt(40);
      SmallSet small = new SmallSet();
      Set<Object> reference = new HashSet<>();
      for (int i = 0; i < 100; i++) {
        Object v = r.nextInt(5) == 0 ? null : "v" + r.nextInt(distinct);
        assertThat(small.add(v)).isEqualTo(reference.add(v));
      }
      assertThat(small).hasSameSizeAs(reference).containsExactlyInAnyOrderElementsOf(reference);
      assertThat(small.contains("absent")).isFalse();
    }
  }
}
