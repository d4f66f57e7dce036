package io.nip.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serde;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every built-in accumulator survives a round trip through its serde, mid-aggregation. */
class AccumulatorSerdeTest {
  record Item(String key, double v, Object tag) {}

  private static final List<Item> FIRST = List.of(new Item("a", 0.1, "x"), new Item("b", 0.2, 7L),
      new Item("c", -3.5, DayOfWeek.MONDAY));
  private static final List<Item> REST = List.of(new Item("d", 0.3, "x"), new Item("e", 12, new BigDecimal("1.50")),
      new Item("f", 0.2, 7L), new Item("g", 1, null));

  /** Folds FIRST, round-trips the accumulator, folds REST; the result equals folding all without a trip. */
  private static <A, R> R roundTrip(Aggregate<Item, A, R> agg) {
    return roundTrip(agg, FIRST, REST);
  }

  private static <T, A, R> R roundTrip(Aggregate<T, A, R> agg, List<T> first, List<T> rest) {
    Serde<A> serde = agg.accumulatorSerde();
    assertThat(serde).as("accumulator serde").isNotNull();
    A acc = agg.createAccumulator();
    for (T i : first) {
      acc = agg.add(acc, i);
    }
    A restored = serde.deserialize(serde.serialize(acc));
    for (T i : rest) {
      restored = agg.add(restored, i);
    }
    A direct = agg.createAccumulator();
    for (T i : first) {
      direct = agg.add(direct, i);
    }
    for (T i : rest) {
      direct = agg.add(direct, i);
    }
    assertThat(agg.result(restored)).isEqualTo(agg.result(direct));
    A empty = serde.deserialize(serde.serialize(agg.createAccumulator()));
    assertThat(agg.result(empty)).isEqualTo(agg.result(agg.createAccumulator()));
    return agg.result(restored);
  }

  @Test
  void count_round_trips() {
    assertThat(roundTrip(Aggregates.count())).isEqualTo(7L);
  }

  @Test
  void sum_round_trips() {
    assertThat(roundTrip(Aggregates.sum(Item::v))).isCloseTo(10.3, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void sum_decimal_round_trips_exactly() {
    assertThat(roundTrip(Aggregates.sumDecimal(Item::v))).isEqualByComparingTo("10.3");
  }

  @Test
  void sum_decimal_of_doubles_round_trips_exactly() {
    assertThat(roundTrip(Aggregates.sumDecimalOfDoubles(Item::v))).isEqualTo(new BigDecimal("10.3"));
  }

  @Test
  void sum_decimal_round_trips_once_it_needs_a_big_decimal() {
    Aggregate<Item, ?, BigDecimal> agg = Aggregates.sumDecimal(i -> i.key().equals("b")
        ? new BigDecimal("123456789012345678901234567890.000000000000000001") : (Number) i.v());
    assertThat(roundTrip(agg)).isEqualByComparingTo("123456789012345678901234567900.100000000000000001");
  }

  @Test
  void avg_round_trips() {
    assertThat(roundTrip(Aggregates.avg(Item::v))).isCloseTo(10.3 / 7, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void min_and_max_round_trip() {
    assertThat(roundTrip(Aggregates.min(Item::v))).isEqualTo(-3.5);
    assertThat(roundTrip(Aggregates.max(Item::v))).isEqualTo(12.0);
  }

  @Test
  void count_distinct_round_trips_values_of_every_kind() {
    assertThat(roundTrip(Aggregates.countDistinct(Item::tag))).isEqualTo(5L);
  }

  @Test
  void count_distinct_round_trips_records_as_json() {
    Function<Item, Object> self = i -> new Item(i.key(), i.v(), null);
    assertThat(roundTrip(Aggregates.countDistinct(self))).isEqualTo(7L);
  }

  @Test
  void top_n_round_trips() {
    assertThat(roundTrip(Aggregates.topN(i -> i.tag() == null ? "none" : i.tag(), 2))).containsExactly(Map.entry(7L, 2L), Map.entry("x", 2L));
  }

  record Plain(String key, double v) {}

  @Test
  void to_list_round_trips_its_events() {
    List<Plain> first = List.of(new Plain("a", 0.1), new Plain("b", 2));
    assertThat(roundTrip(Aggregates.<Plain>toList(), first, List.of(new Plain("c", 3))))
        .containsExactly(new Plain("a", 0.1), new Plain("b", 2), new Plain("c", 3));
  }

  @Test
  void a_window_aggregator_has_a_serde_when_every_part_has_one() {
    WindowAggregator<Item, Map<String, Object>> all = WindowAggregator.<Item>create()
        .aggregate("n", Aggregates.count()).aggregate("total", Aggregates.sumDecimal(Item::v));
    assertThat(roundTrip(all.asAggregate())).containsEntry("n", 7L).containsEntry("total", new BigDecimal("10.3"));
    Aggregate<Item, long[], Long> custom = Aggregate.of(() -> new long[1], (a, v) -> a, (a, b) -> a, a -> a[0]);
    assertThat(all.aggregate("custom", custom).asAggregate().accumulatorSerde()).isNull();
    assertThat(custom.withAccumulatorSerde(Aggregates.<Item>count().accumulatorSerde()).accumulatorSerde()).isNotNull();
  }
}
