package io.nip.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeadersTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void headers_keep_insertion_order_and_repeated_names_like_kafka() {
    Headers h = Headers.EMPTY.with("a", "1").with("b", "2").with("a", "3");

    assertThat(h.size()).isEqualTo(3);
    assertThat(h.name(0)).isEqualTo("a");
    assertThat(h.name(2)).isEqualTo("a");
    assertThat(h.lastString("a")).isEqualTo("3");
    assertThat(h.values("a")).containsExactly(utf8("1"), utf8("3"));
    assertThat(h.lastValue("missing")).isNull();
    assertThat(h).hasToString("Headers[a=1, b=2, a=3]");
  }

  @Test
  void headers_are_immutable_values_are_copied_in_and_out() {
    byte[] v = utf8("x");
    Headers h = Headers.of("n", v);
    v[0] = 'y';
    h.value(0)[0] = 'z';
    h.lastValue("n")[0] = 'z';

    assertThat(h.lastString("n")).isEqualTo("x");
    Headers more = h.with("m", "1");
    assertThat(h.size()).isEqualTo(1);
    assertThat(more.size()).isEqualTo(2);
  }

  @Test
  void a_handed_over_value_is_kept_without_a_copy_and_still_read_out_as_a_copy() {
    byte[] v = utf8("00-ab");
    Headers h = Headers.EMPTY.with("k", "1").withHandedOver("traceparent", v);
    h.lastValue("traceparent")[0] = 'z';

    assertThat(h).isEqualTo(Headers.EMPTY.with("k", "1").with("traceparent", "00-ab"));
    assertThat(h.lastString("traceparent")).isEqualTo("00-ab");
    assertThat(Headers.EMPTY.withHandedOver("n", null).value(0)).isNull();
    assertThatThrownBy(() -> Headers.EMPTY.withHandedOver(null, v)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void one_header_instances_built_one_after_another_with_different_names_keep_their_own_name() {
    Headers a = Headers.EMPTY.with("a", "1");
    Headers b = Headers.EMPTY.with("b", "2");
    Headers a2 = Headers.EMPTY.with("a", "3");
    Headers ab = a.with("b", "4");

    assertThat(a).hasToString("Headers[a=1]");
    assertThat(b).hasToString("Headers[b=2]");
    assertThat(a2).hasToString("Headers[a=3]");
    assertThat(ab).hasToString("Headers[a=1, b=4]");
    assertThat(a.without("a")).isSameAs(Headers.EMPTY);
    assertThat(ab.without("a")).hasToString("Headers[b=4]");
  }

  @Test
  void without_drops_every_value_of_a_name_and_the_empty_results_share_the_singleton() {
    Headers h = Headers.EMPTY.with("a", "1").with("b", "2").with("a", "3");

    assertThat(h.without("a")).isEqualTo(Headers.EMPTY.with("b", "2"));
    assertThat(h.without("zzz")).isSameAs(h);
    assertThat(Headers.of("a", (byte[]) null).without("a")).isSameAs(Headers.EMPTY);
    assertThat(Headers.builder().build()).isSameAs(Headers.EMPTY);
    assertThat(Headers.EMPTY.isEmpty()).isTrue();
  }

  @Test
  void the_builder_and_with_give_equal_headers_and_null_values_are_allowed() {
    Headers built = Headers.builder().add("a", "1").add("n", (byte[]) null).addAll(Headers.of("c", utf8("3"))).build();
    Headers chained = Headers.EMPTY.with("a", "1").with("n", (byte[]) null).with("c", "3");

    assertThat(built).isEqualTo(chained).hasSameHashCodeAs(chained);
    assertThat(built.value(1)).isNull();
    assertThat(built.lastString("n")).isNull();
    assertThatThrownBy(() -> built.name(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Headers.EMPTY.with(null, "x")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void a_deferred_value_is_built_only_when_read_and_reads_like_a_plain_one() {
    // Given: a supplier that counts its calls
    int[] calls = {0};
    java.util.function.Supplier<byte[]> tp = () -> {
      calls[0]++;
      return utf8("00-ab");
    };
    Headers h = Headers.EMPTY.with("k", "1").withDeferred("traceparent", tp);
    Headers moved = h.without("k").with("m", "2");

    // Then: building, copying and dropping other headers never call it
    assertThat(calls[0]).isZero();
    assertThat(moved.lastDeferred("traceparent")).isSameAs(tp);
    assertThat(h.lastDeferred("k")).isNull();
    assertThat(h.lastDeferred("missing")).isNull();
    // and every reader sees the bytes, as copies
    h.lastValue("traceparent")[0] = 'z';
    assertThat(h.lastString("traceparent")).isEqualTo("00-ab");
    assertThat(h.value(1)).isEqualTo(utf8("00-ab"));
    assertThat(h.values("traceparent")).containsExactly(utf8("00-ab"));
    assertThat(h).isEqualTo(Headers.EMPTY.with("k", "1").with("traceparent", "00-ab"))
        .hasSameHashCodeAs(Headers.EMPTY.with("k", "1").with("traceparent", "00-ab"))
        .hasToString("Headers[k=1, traceparent=00-ab]");
    assertThat(Headers.builder().addAll(h).build().lastString("traceparent")).isEqualTo("00-ab");
    assertThat(calls[0]).isPositive();
    // a later plain value of the same name hides it
    assertThat(h.with("traceparent", "x").lastDeferred("traceparent")).isNull();
    assertThat(Headers.EMPTY.withDeferred("n", () -> null).value(0)).isNull();
    assertThatThrownBy(() -> Headers.EMPTY.withDeferred("n", null)).isInstanceOf(NullPointerException.class);
  }
}
