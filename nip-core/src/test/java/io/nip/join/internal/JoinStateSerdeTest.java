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
  void extreme_times_and_no_timer_round_trip() {
    JoinState<String, String> s = new JoinState<>();
    JoinState.insert(s.rights, new JoinState.Item<>(Long.MIN_VALUE + 1, false, "first"));
    JoinState.insert(s.rights, new JoinState.Item<>(-1, false, ""));
    JoinState.insert(s.rights, new JoinState.Item<>(Long.MAX_VALUE - 1, false, null));

    JoinState<String, String> back = serde.deserialize(serde.serialize(s));

    assertThat(back.timer).isEqualTo(JoinState.NO_TIMER);
    assertThat(back.lefts).isEmpty();
    assertThat(back.rights).extracting(i -> i.time + ":" + i.value)
        .containsExactly((Long.MIN_VALUE + 1) + ":first", "-1:", (Long.MAX_VALUE - 1) + ":null");
  }

  @Test
  void one_table_version_takes_eleven_bytes_of_framing() {
    JoinState<String, String> s = new JoinState<>();
    JoinState.insert(s.rights, new JoinState.Item<>(1_767_225_600_000L, false, "gold"));
    assertThat(serde.serialize(s)).hasSize(11 + "gold".length());
  }

  @Test
  void a_state_written_in_format_1_by_earlier_builds_is_read() throws java.io.IOException {
    // Given format 1: version, timer, then per list a count and per item time, matched, length, bytes
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeLong(11);
      out.writeInt(1); // lefts
      out.writeLong(10);
      out.writeBoolean(true);
      out.writeInt(2);
      out.write("l1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.writeInt(2); // rights
      out.writeLong(5);
      out.writeBoolean(false);
      out.writeInt(4);
      out.write("gold".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.writeLong(7);
      out.writeBoolean(false);
      out.writeInt(-1);
    }

    // When read by this build
    JoinState<String, String> back = serde.deserialize(bytes.toByteArray());

    // Then
    assertThat(back.timer).isEqualTo(11);
    assertThat(back.lefts).extracting(i -> i.time + ":" + i.matched + ":" + i.value).containsExactly("10:true:l1");
    assertThat(back.rights).extracting(i -> i.time + ":" + i.value).containsExactly("5:gold", "7:null");
  }

  @Test
  void a_variable_length_number_beyond_64_bits_is_refused() {
    byte[] bytes = {2, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 0};
    assertThatThrownBy(() -> serde.deserialize(bytes)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("does not fit 64 bits");
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
