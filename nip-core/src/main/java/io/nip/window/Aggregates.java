package io.nip.window;

import io.nip.window.internal.AccumulatorSerdes;
import io.nip.window.internal.DecimalSum;
import io.nip.window.internal.SmallSet;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The built-in incremental aggregates: count, sum, sumDecimal (and sumDecimalOfDoubles), avg, min,
 * max, countDistinct, topN,
 * and the explicit (costly) list of events. Each declares an
 * {@linkplain Aggregate#accumulatorSerde() accumulator serde}.
 *
 * <pre>{@code
 * Aggregate<UserEvent, ?, Long> n = Aggregates.count();
 * Aggregate<UserEvent, ?, BigDecimal> total = Aggregates.sumDecimal(e -> e.value());
 * }</pre>
 */
public final class Aggregates {
  private Aggregates() {}

  /**
   * @param <T> event type
   * @return the number of events
   */
  public static <T> Aggregate<T, long[], Long> count() {
    return Aggregate.<T, long[], Long>of(() -> new long[1], (a, v) -> {
      a[0]++;
      return a;
    }, (a, b) -> {
      a[0] += b[0];
      return a;
    }, a -> a[0]).withAccumulatorSerde(AccumulatorSerdes.longs());
  }

  /**
   * A binary floating-point sum: fast, but rounded after every addition, so its last digits depend
   * on the order of the events (0.1 + 0.2 + 0.3 is 0.6000000000000001 in one order and 0.6 in
   * another). Use {@link #sumDecimal} for money and other decimal amounts.
   *
   * @param fn the number of each event
   * @param <T> event type
   * @return the sum (0 for none)
   */
  public static <T> Aggregate<T, double[], Double> sum(ToDoubleFunction<? super T> fn) {
    Objects.requireNonNull(fn, "fn");
    return Aggregate.<T, double[], Double>of(() -> new double[1], (a, v) -> {
      a[0] += fn.applyAsDouble(v);
      return a;
    }, (a, b) -> {
      a[0] += b[0];
      return a;
    }, a -> a[0]).withAccumulatorSerde(AccumulatorSerdes.doubles());
  }

  /**
   * An exact decimal sum: the same result in every arrival order, and no binary rounding
   * (0.1 + 0.2 + 0.3 is 0.6). A {@code double} counts as the decimal it reads as (the shortest
   * decimal whose nearest double it is, as {@link BigDecimal#valueOf(double)} reads it); integers
   * and {@link BigDecimal}s count exactly; null adds nothing; NaN and infinities fail the record.
   * Sums of doubles with up to 15 fraction digits and integers accumulate without allocating.
   *
   * <pre>{@code
   * Aggregate<Order, ?, BigDecimal> revenue = Aggregates.sumDecimal(Order::amount);
   * }</pre>
   *
   * @param fn the amount of each event
   * @param <T> event type
   * @return the sum (0 for none), its scale the largest scale among the amounts
   */
  public static <T> Aggregate<T, DecimalSum, BigDecimal> sumDecimal(Function<? super T, ? extends Number> fn) {
    Objects.requireNonNull(fn, "fn");
    return Aggregate.<T, DecimalSum, BigDecimal>of(DecimalSum::new, (a, v) -> a.add(fn.apply(v)), DecimalSum::merge,
        DecimalSum::result).withAccumulatorSerde(AccumulatorSerdes.decimalSum());
  }

  /**
   * {@link #sumDecimal} for amounts held as {@code double}s, without boxing each one: every double
   * counts as the decimal it reads as (0.1 as 0.1), and the sum is exact and the same in every
   * arrival order.
   *
   * <pre>{@code
   * Aggregate<Order, ?, BigDecimal> revenue = Aggregates.sumDecimalOfDoubles(Order::amount);
   * }</pre>
   *
   * @param fn the amount of each event; NaN and infinities fail the record
   * @param <T> event type
   * @return the sum (0 for none), its scale the largest scale among the amounts
   */
  public static <T> Aggregate<T, DecimalSum, BigDecimal> sumDecimalOfDoubles(ToDoubleFunction<? super T> fn) {
    Objects.requireNonNull(fn, "fn");
    return Aggregate.<T, DecimalSum, BigDecimal>of(DecimalSum::new, (a, v) -> a.addDouble(fn.applyAsDouble(v)),
        DecimalSum::merge, DecimalSum::result).withAccumulatorSerde(AccumulatorSerdes.decimalSum());
  }

  /**
   * @param fn the number of each event
   * @param <T> event type
   * @return the mean (0 for none)
   */
  public static <T> Aggregate<T, double[], Double> avg(ToDoubleFunction<? super T> fn) {
    Objects.requireNonNull(fn, "fn");
    return Aggregate.<T, double[], Double>of(() -> new double[2], (a, v) -> {
      a[0] += fn.applyAsDouble(v);
      a[1]++;
      return a;
    }, (a, b) -> {
      a[0] += b[0];
      a[1] += b[1];
      return a;
    }, a -> a[1] == 0 ? 0.0 : a[0] / a[1]).withAccumulatorSerde(AccumulatorSerdes.doubles());
  }

  /**
   * @param fn the number of each event
   * @param <T> event type
   * @return the minimum (null for none)
   */
  public static <T> Aggregate<T, double[], Double> min(ToDoubleFunction<? super T> fn) {
    return extreme(fn, true);
  }

  /**
   * @param fn the number of each event
   * @param <T> event type
   * @return the maximum (null for none)
   */
  public static <T> Aggregate<T, double[], Double> max(ToDoubleFunction<? super T> fn) {
    return extreme(fn, false);
  }

  private static <T> Aggregate<T, double[], Double> extreme(ToDoubleFunction<? super T> fn, boolean min) {
    Objects.requireNonNull(fn, "fn");
    return Aggregate.<T, double[], Double>of(() -> new double[] {0, 0}, (a, v) -> {
      double x = fn.applyAsDouble(v);
      if (a[1] == 0 || (min ? x < a[0] : x > a[0])) {
        a[0] = x;
      }
      a[1] = 1;
      return a;
    }, (a, b) -> {
      if (b[1] != 0 && (a[1] == 0 || (min ? b[0] < a[0] : b[0] > a[0]))) {
        a[0] = b[0];
      }
      a[1] = Math.max(a[1], b[1]);
      return a;
    }, a -> a[1] == 0 ? null : a[0]).withAccumulatorSerde(AccumulatorSerdes.doubles());
  }

  /**
   * Exact count of distinct values; the accumulator holds each distinct value once.
   *
   * @param fn the value of each event
   * @param <T> event type
   * @return the number of distinct values
   */
  public static <T> Aggregate<T, Set<Object>, Long> countDistinct(Function<? super T, ?> fn) {
    Objects.requireNonNull(fn, "fn");
    return Aggregate.<T, Set<Object>, Long>of(SmallSet::new, (a, v) -> {
      a.add(fn.apply(v));
      return a;
    }, (a, b) -> {
      a.addAll(b);
      return a;
    }, a -> (long) a.size()).withAccumulatorSerde(AccumulatorSerdes.distinct());
  }

  /**
   * The {@code n} most frequent values with their counts, most frequent first (ties by value text).
   *
   * @param fn the value of each event
   * @param n how many, at least 1
   * @param <T> event type
   * @return a list of (value, count) entries
   */
  public static <T> Aggregate<T, Map<Object, long[]>, List<Map.Entry<Object, Long>>> topN(
      Function<? super T, ?> fn, int n) {
    Objects.requireNonNull(fn, "fn");
    if (n < 1) {
      throw io.nip.errors.ConfigurationException.invalid("topN.n", n, "must be at least 1");
    }
    return Aggregate.<T, Map<Object, long[]>, List<Map.Entry<Object, Long>>>of(HashMap::new, (a, v) -> {
      a.computeIfAbsent(fn.apply(v), k -> new long[1])[0]++;
      return a;
    }, (a, b) -> {
      b.forEach((k, c) -> a.computeIfAbsent(k, x -> new long[1])[0] += c[0]);
      return a;
    }, a -> {
      List<Map.Entry<Object, Long>> all = new ArrayList<>(a.size());
      a.forEach((k, c) -> all.add(Map.entry(k, c[0])));
      all.sort(Comparator.<Map.Entry<Object, Long>>comparingLong(Map.Entry::getValue).reversed()
          .thenComparing(e -> String.valueOf(e.getKey())));
      return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }).withAccumulatorSerde(AccumulatorSerdes.counts());
  }

  /**
   * Keeps every event of the window in a list: the costly path, for functions that truly need the
   * whole list (memory grows with the events, not with the windows).
   *
   * @param <T> event type
   * @return the events in arrival order
   */
  public static <T> Aggregate<T, List<T>, List<T>> toList() {
    return Aggregate.<T, List<T>, List<T>>of(ArrayList::new, (a, v) -> {
      a.add(v);
      return a;
    }, (a, b) -> {
      a.addAll(b);
      return a;
    }, List::copyOf).withAccumulatorSerde(AccumulatorSerdes.list());
  }
}
