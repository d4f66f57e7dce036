package io.nip.join.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.SerializationException;
import io.nip.serde.Serdes;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JoinStateSerdeTest {
  private final JoinState.StateSerde<String, String> serde = new JoinState.StateSerde<>(Serdes.string(),
      Serdes.string());

  @Test
  void a_key_state_with_both_sides_a_tombstone_and_a_timer_round_trips() {
    // Given a state with two left records (one matched), a version and a tombstone, and a timer
    JoinState<String, String> s = new JoinState<>();
    JoinState.insert(s.lefts, new JoinState.Item<>(20, true, "l2"));
    JoinState.insert(s.lefts, new JoinState.Item<>(10, false, "l1"));
    JoinState.insert(s.rights, new JoinState.Item<>(5, false, "gold"));
    JoinState.insert(s.rights, new JoinState.Item<>(7, false, null));
    s.timer = 11;

    // When written and read back
    JoinState<String, String> back = serde.deserialize(serde.serialize(s));

    // Then everything is there, in time order
    assertThat(back.timer).isEqualTo(11);
    assertThat(back.lefts).extracting(i -> i.time + ":" + i.matched + ":" + i.value)
        .containsExactly("10:false:l1", "20:true:l2");
    assertThat(back.rights).extracting(i -> i.time + ":" + i.value).containsExactly("5:gold", "7:null");
  }

  @Test
  void truncated_or_foreign_bytes_are_refused_with_a_serialization_error() {
    JoinState<String, String> s = new JoinState<>();
    JoinState.insert(s.lefts, new JoinState.Item<>(10, false, "a left record"));
    byte[] bytes = serde.serialize(s);
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> serde.deserialize(truncated)).isInstanceOf(SerializationException.class);
    }
    byte[] other = bytes.clone();
    other[0] = 9;
    assertThatThrownBy(() -> serde.deserialize(other)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("format version 9");
  }
}
