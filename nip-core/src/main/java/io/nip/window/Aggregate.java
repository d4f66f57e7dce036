package io.nip.window;

import io.nip.serde.Serde;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An incremental aggregation: a window keeps one accumulator and folds each event into it, so it
 * never holds the events themselves. {@link #merge} combines two accumulators when sessions merge.
 *
 * <pre>{@code
 * Aggregate<Order, double[], Double> revenue = Aggregate.of(() -> new double[1],
 *     (acc, o) -> { acc[0] += o.amount(); return acc; }, (a, b) -> { a[0] += b[0]; return a; }, acc -> acc[0]);
 * }</pre>
 *
 * @param <T> event type
 * @param <A> accumulator type
 * @param <R> result type
 */
public interface Aggregate<T, A, R> {

  /** @return a new, empty accumulator */
  A createAccumulator();

  /**
   * @param accumulator the current accumulator (may be updated in place)
   * @param value the event
   * @return the new accumulator
   */
  A add(A accumulator, T value);

  /**
   * Combines the accumulators of two sessions that an event joins. Merging into a fresh accumulator
   * must give the other one's value ({@code merge(createAccumulator(), b)} equals {@code b}): a
   * session that an event only extends keeps its accumulator, without a merge.
   *
   * @param a one accumulator (may be updated in place)
   * @param b another
   * @return the combination of both
   */
  A merge(A a, A b);

  /**
   * @param accumulator the accumulator
   * @return the result it represents; must not change the accumulator
   */
  R result(A accumulator);

  /**
   * How accumulators are stored in snapshots and durable stores. Every built-in of
   * {@link Aggregates} has one; a custom aggregate declares one by overriding this method or
   * through {@link #withAccumulatorSerde}. Without one, a window that has to snapshot its state
   * fails with a {@link io.nip.errors.StateException} naming the window.
   *
   * @return the serde of accumulators, or null when not supported (the default)
   */
  default Serde<A> accumulatorSerde() {
    return null;
  }

  /**
   * Declares how accumulators are stored.
   *
   * <pre>{@code
   * Aggregate<Order, double[], Double> revenue = Aggregate.<Order, double[], Double>of(...)
   *     .withAccumulatorSerde(mySerde);
   * }</pre>
   *
   * @param accumulatorSerde the serde of accumulators
   * @return an aggregate computing the same, with that serde
   */
  default Aggregate<T, A, R> withAccumulatorSerde(Serde<A> accumulatorSerde) {
    Objects.requireNonNull(accumulatorSerde, "accumulatorSerde");
    Aggregate<T, A, R> self = this;
    return new io.nip.window.internal.FunctionAggregate<>(self::createAccumulator, self::add, self::merge,
        self::result, accumulatorSerde);
  }

  /**
   * @param create new accumulator
   * @param add fold one event in
   * @param merge combine two
   * @param result read the result
   * @param <T> event type
   * @param <A> accumulator type
   * @param <R> result type
   * @return the custom aggregate (without an accumulator serde)
   */
  static <T, A, R> Aggregate<T, A, R> of(Supplier<A> create, java.util.function.BiFunction<A, T, A> add,
      BinaryOperator<A> merge, Function<A, R> result) {
    Objects.requireNonNull(create, "create");
    Objects.requireNonNull(add, "add");
    Objects.requireNonNull(merge, "merge");
    Objects.requireNonNull(result, "result");
    return new io.nip.window.internal.FunctionAggregate<>(create, add, merge, result, null);
  }
}
