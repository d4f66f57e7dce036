package io.nip.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SourcePositionTest {
  /** A Kinesis sequence number can have up to 128 decimal digits. */
  private static final String KINESIS_128 = "9".repeat(128);

  @Test
  void offsets_strings_bytes_and_none_round_trip_through_their_byte_form() {
    for (SourcePosition p : new SourcePosition[] {SourcePosition.NONE, SourcePosition.ofOffset(0),
        SourcePosition.ofOffset(Long.MAX_VALUE), SourcePosition.ofString(KINESIS_128),
        SourcePosition.ofString("projects/p/subscriptions/s:ack-Ωé"), SourcePosition.ofString(""),
        SourcePosition.ofBytes(new byte[] {0, -1, 42}), SourcePosition.ofBytes(new byte[0])}) {
      SourcePosition back = SourcePosition.fromBytes(p.toBytes());
      assertThat(back).isEqualTo(p).hasSameHashCodeAs(p);
      assertThat(back.kind()).isEqualTo(p.kind());
    }
    assertThat(SourcePosition.fromBytes(SourcePosition.NONE.toBytes())).isSameAs(SourcePosition.NONE);
  }

  @Property
  void every_offset_round_trips(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long offset) {
    SourcePosition p = SourcePosition.ofOffset(offset);
    assertThat(SourcePosition.fromBytes(p.toBytes()).offset()).isEqualTo(offset);
  }

  @Property
  void every_string_round_trips(@ForAll String text) {
    SourcePosition p = SourcePosition.ofString(text);
    assertThat(SourcePosition.fromBytes(p.toBytes()).string()).isEqualTo(text);
  }

  @Test
  void the_byte_form_is_stable_a_tag_byte_then_the_payload() {
    assertThat(SourcePosition.NONE.toBytes()).containsExactly(0);
    assertThat(SourcePosition.ofOffset(258).toBytes()).containsExactly(1, 0, 0, 0, 0, 0, 0, 1, 2);
    assertThat(SourcePosition.ofString("49").toBytes()).containsExactly(2, '4', '9');
    assertThat(SourcePosition.ofBytes(new byte[] {7, 8}).toBytes()).containsExactly(3, 7, 8);
    assertThat(SourcePosition.ofString(KINESIS_128).toBytes()).hasSize(129);
  }

  @Test
  void malformed_encodings_are_rejected_with_a_message_naming_the_problem() {
    assertThatThrownBy(() -> SourcePosition.fromBytes(new byte[0])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one byte");
    assertThatThrownBy(() -> SourcePosition.fromBytes(new byte[] {9})).hasMessageContaining("unknown source position tag 9");
    assertThatThrownBy(() -> SourcePosition.fromBytes(new byte[] {1, 0, 0})).hasMessageContaining("8 bytes, found 2");
    assertThatThrownBy(() -> SourcePosition.fromBytes(new byte[] {0, 1})).hasMessageContaining("no payload");
    assertThatThrownBy(() -> SourcePosition.fromBytes(new byte[] {2, (byte) 0xC3})).hasMessageContaining("UTF-8");
    byte[] negative = SourcePosition.ofOffset(1).toBytes();
    negative[1] = (byte) 0x80;
    assertThatThrownBy(() -> SourcePosition.fromBytes(negative)).hasMessageContaining("at least 0");
  }

  @Test
  void accessors_of_another_kind_fail_and_offsetOr_reads_start_positions() {
    assertThatThrownBy(() -> SourcePosition.ofString("x").offset()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SourcePosition.ofOffset(1).string()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SourcePosition.ofOffset(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(SourcePosition.offsetOr(null, 0)).isZero();
    assertThat(SourcePosition.offsetOr(SourcePosition.NONE, 5)).isEqualTo(5);
    assertThat(SourcePosition.offsetOr(SourcePosition.ofOffset(7), 0)).isEqualTo(7);
    assertThatThrownBy(() -> SourcePosition.offsetOr(SourcePosition.ofString("a"), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STRING");
  }

  @Test
  void bytes_positions_are_copied_and_every_kind_prints_readably() {
    byte[] b = {1, 2};
    SourcePosition p = SourcePosition.ofBytes(b);
    b[0] = 9;
    p.bytes()[1] = 9;
    assertThat(p.bytes()).containsExactly(1, 2);
    assertThat(p).hasToString("0x0102");
    assertThat(SourcePosition.ofOffset(42)).hasToString("42");
    assertThat(SourcePosition.ofString("seq-1")).hasToString("seq-1");
    assertThat(SourcePosition.NONE).hasToString("none");
  }

  @Test
  void java_serialization_keeps_the_value_and_the_none_singleton() throws Exception {
    assertThat(javaRoundTrip(SourcePosition.NONE)).isSameAs(SourcePosition.NONE);
    assertThat(javaRoundTrip(SourcePosition.ofString(KINESIS_128))).isEqualTo(SourcePosition.ofString(KINESIS_128));
    assertThat(javaRoundTrip(SourcePosition.ofBytes("a".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(SourcePosition.ofBytes("a".getBytes(StandardCharsets.UTF_8)));
  }

  private static Object javaRoundTrip(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }
}
