package io.nip.window.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A window's state record is written through one buffer, with the bytes of the format that wrote
 * each accumulator and part as an array of its own (so that state written before reads back).
 */
class WindowStateSerdeTest {

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Serde<Object[]> INNER = AccumulatorSerdes.composite(new Serde[] {
      AccumulatorSerdes.doubles(), Serdes.json(String.class)});

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Serde<Object[]> PARTS = AccumulatorSerdes.composite(new Serde[] {
      AccumulatorSerdes.longs(), AccumulatorSerdes.distinct(), AccumulatorSerdes.decimalSum(),
      Serdes.json(Boolean.class), INNER});

  private static Object[] acc(long count, String... types) {
    Set<Object> distinct = new SmallSet();
    distinct.addAll(Set.of((Object[]) types));
    return new Object[] {new long[] {count}, distinct, new DecimalSum(0, 0, new BigDecimal("12.345")), Boolean.TRUE,
        new Object[] {new double[] {1.5, -2}, "p\u00e9ge \"q\""}};
  }

  /**
   * The record as written when every accumulator and part was serialized to an array of its own, in
   * format {@code version} (2 has the same bytes as 1 for windows without an earlier pending FIRE).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static byte[] asBefore(NavigableMap<Long, WindowOp.Win> windows, Serde[] parts, Serde[] inner, int version)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(version);
    out.writeInt(windows.size());
    for (WindowOp.Win w : windows.values()) {
      out.writeLong(w.start);
      out.writeLong(w.end);
      out.writeLong(w.seq);
      out.writeLong(w.count);
      out.writeByte((w.fired ? 1 : 0) | (w.closed ? 2 : 0) | (w.dirty ? 4 : 0) | (w.earlyTimer ? 8 : 0));
      if (w.minPos == null) {
        out.writeInt(-1);
      } else {
        out.writeInt(w.minPos.length);
        for (long p : w.minPos) {
          out.writeLong(p);
        }
      }
      if (!w.closed) {
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        DataOutputStream accOut = new DataOutputStream(acc);
        Object[] a = (Object[]) w.acc;
        for (int i = 0; i < parts.length; i++) {
          byte[] b;
          if (i == parts.length - 1) {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            DataOutputStream inOut = new DataOutputStream(in);
            Object[] ia = (Object[]) a[i];
            for (int j = 0; j < inner.length; j++) {
              byte[] ib = inner[j].serialize(ia[j]);
              inOut.writeInt(ib.length);
              inOut.write(ib);
            }
            b = in.toByteArray();
          } else {
            b = parts[i].serialize(a[i]);
          }
          accOut.writeInt(b.length);
          accOut.write(b);
        }
        out.writeInt(acc.size());
        out.write(acc.toByteArray());
      }
    }
    return bytes.toByteArray();
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void the_record_has_the_bytes_of_one_array_per_accumulator_and_reads_back_equal() throws IOException {
    Serde<Object> accumulators = (Serde<Object>) (Serde<?>) PARTS;
    WindowStateSerde serde = new WindowStateSerde("w", accumulators);
    NavigableMap<Long, WindowOp.Win> windows = new TreeMap<>();
    WindowOp.Win open = new WindowOp.Win(0, 300_000, acc(3, "login", "click"));
    open.seq = 7;
    open.count = 3;
    open.dirty = true;
    open.minPos = new long[] {5, -1, 1L << 40};
    WindowOp.Win closed = new WindowOp.Win(300_000, 600_000, null);
    closed.closed = true;
    WindowOp.Win big = new WindowOp.Win(600_000, 900_000, acc(100_000, "a".repeat(5_000), "b", "c"));
    windows.put(open.start, open);
    windows.put(closed.start, closed);
    windows.put(big.start, big);

    byte[] written = serde.serialize(windows);

    Serde[] parts = {AccumulatorSerdes.longs(), AccumulatorSerdes.distinct(), AccumulatorSerdes.decimalSum(),
        Serdes.json(Boolean.class), null};
    Serde[] inner = {AccumulatorSerdes.doubles(), Serdes.json(String.class)};
    assertThat(written).isEqualTo(asBefore(windows, parts, inner, 2));
    assertThat(serde.deserialize(asBefore(windows, parts, inner, 1)).get(0L).fireAt)
        .as("format 1 of earlier builds: the pending FIRE time is unknown").isEqualTo(Long.MIN_VALUE);
    NavigableMap<Long, WindowOp.Win> back = serde.deserialize(written);
    assertThat(back.keySet()).containsExactly(0L, 300_000L, 600_000L);
    Object[] a = (Object[]) back.get(600_000L).acc;
    assertThat(((long[]) a[0])[0]).isEqualTo(100_000L);
    assertThat((Set<Object>) a[1]).containsExactlyInAnyOrder("a".repeat(5_000), "b", "c");
    assertThat(((DecimalSum) a[2]).result()).isEqualTo(new BigDecimal("12.345"));
    assertThat(a[3]).isEqualTo(Boolean.TRUE);
    assertThat(((double[]) ((Object[]) a[4])[0])).containsExactly(1.5, -2);
    assertThat(((Object[]) a[4])[1]).isEqualTo("p\u00e9ge \"q\"");
    assertThat(back.get(300_000L).closed).isTrue();
    assertThat(back.get(0L).seq).isEqualTo(7L);
    assertThat(back.get(0L).minPos).containsExactly(5, -1, 1L << 40);
  }

  @Test
  @SuppressWarnings("unchecked")
  void a_session_whose_fire_timer_stayed_at_an_old_end_keeps_that_time() {
    WindowStateSerde serde = new WindowStateSerde("w", (Serde<Object>) (Serde<?>) PARTS);
    NavigableMap<Long, WindowOp.Win> windows = new TreeMap<>();
    WindowOp.Win grown = new WindowOp.Win(0, 16_000, acc(2, "login"));
    grown.fireAt = 12_000;
    WindowOp.Win armed = new WindowOp.Win(20_000, 24_000, acc(1, "login"));
    armed.fireAt = 24_000;
    windows.put(grown.start, grown);
    windows.put(armed.start, armed);

    NavigableMap<Long, WindowOp.Win> back = serde.deserialize(serde.serialize(windows));

    assertThat(back.get(0L).fireAt).isEqualTo(12_000L);
    assertThat(back.get(20_000L).fireAt).isEqualTo(24_000L);
  }

  @Test
  @SuppressWarnings("unchecked")
  void a_truncated_or_inconsistent_record_is_a_state_error_naming_the_window() {
    WindowStateSerde serde = new WindowStateSerde("w", (Serde<Object>) (Serde<?>) PARTS);
    NavigableMap<Long, WindowOp.Win> windows = new TreeMap<>();
    windows.put(0L, new WindowOp.Win(0, 300_000, acc(3, "login")));
    byte[] written = serde.serialize(windows);

    for (int cut : new int[] {0, 1, 10, written.length - 1}) {
      byte[] truncated = java.util.Arrays.copyOf(written, cut);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> serde.deserialize(truncated))
          .isInstanceOf(io.nip.errors.StateException.class).hasMessageContaining("window 'w'");
    }
  }
}
