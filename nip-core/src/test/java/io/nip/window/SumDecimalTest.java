package io.nip.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The exact decimal sum: the same in every arrival order, and equal to the decimal arithmetic. */
class SumDecimalTest {

  private static <T> BigDecimal sum(Aggregate<T, ?, BigDecimal> agg, List<T> values) {
    return fold(agg, values);
  }

  private static <T, A> BigDecimal fold(Aggregate<T, A, BigDecimal> agg, List<T> values) {
    A acc = agg.createAccumulator();
    for (T v : values) {
      acc = agg.add(acc, v);
    }
    return agg.result(acc);
  }

  @Test
  void when_money_is_added_in_any_order_then_the_total_is_exact() {
    // Given 0.1, 0.2, 0.3 whose double sum depends on the order
    Aggregate<Double, ?, Double> doubles = Aggregates.sum(d -> d);
    assertThat(List.of(fold2(doubles, List.of(0.1, 0.2, 0.3)), fold2(doubles, List.of(0.3, 0.2, 0.1))))
        .containsExactly(0.6000000000000001, 0.6);
    // When they are summed as decimals, in both orders
    Aggregate<Double, ?, BigDecimal> exact = Aggregates.sumDecimal(d -> d);
    // Then the total is 0.6 both times
    assertThat(sum(exact, List.of(0.1, 0.2, 0.3))).isEqualTo(new BigDecimal("0.6"));
    assertThat(sum(exact, List.of(0.3, 0.2, 0.1))).isEqualTo(new BigDecimal("0.6"));
    Aggregate<Double, ?, BigDecimal> unboxed = Aggregates.sumDecimalOfDoubles(d -> d);
    assertThat(sum(unboxed, List.of(0.3, 0.2, 0.1))).isEqualTo(new BigDecimal("0.6"));
  }

  private static <A> Double fold2(Aggregate<Double, A, Double> agg, List<Double> values) {
    A acc = agg.createAccumulator();
    for (Double v : values) {
      acc = agg.add(acc, v);
    }
    return agg.result(acc);
  }

  @Test
  void integers_big_decimals_and_nulls_count_exactly() {
    Aggregate<Number, ?, BigDecimal> agg = Aggregates.sumDecimal(n -> n);
    List<Number> values = new ArrayList<>();
    values.add(Long.MAX_VALUE);
    values.add(1);
    values.add(new BigDecimal("0.001"));
    values.add(null);
    values.add(2.5f);
    assertThat(sum(agg, values)).isEqualTo(new BigDecimal("9223372036854775810.501"));
    assertThat(sum(agg, List.of())).isEqualTo(BigDecimal.ZERO);
    assertThatThrownBy(() -> sum(agg, List.of(Double.NaN))).isInstanceOf(ArithmeticException.class);
  }

  @Property(tries = 200)
  void the_sum_of_doubles_is_the_sum_of_their_decimal_readings_in_every_order(
      @ForAll @Size(max = 30) List<@IntRange(min = -1_000_000_000, max = 1_000_000_000) Integer> cents,
      @ForAll @IntRange(min = 0, max = 6) int digits, @ForAll long seed) {
    List<Double> values = new ArrayList<>();
    BigDecimal expected = BigDecimal.ZERO;
    for (int c : cents) {
      double d = BigDecimal.valueOf(c, digits).doubleValue();
      values.add(d);
      expected = expected.add(BigDecimal.valueOf(d));
    }
    Aggregate<Double, ?, BigDecimal> agg = Aggregates.sumDecimal(d -> d);
    BigDecimal inOrder = sum(agg, values);
    Collections.shuffle(values, new Random(seed));
    assertThat(sum(agg, values)).isEqualTo(inOrder);
    assertThat(inOrder).isEqualByComparingTo(expected);
  }
}
