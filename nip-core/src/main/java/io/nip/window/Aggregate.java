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

  /** @return how accumulators are stored in snapshots and durable stores, or null when not supported */
  default Serde<A> accumulatorSerde() {
    return null;
  }

  /**
   * @param create new accumulator
   * @param add fold one event in
   * @param merge combine two
   * @param result read the result
   * @param <T> event type
   * @param <A> accumulator type
   * @param <R> result type
   * @return the custom aggregate
   */
  static <T, A, R> Aggregate<T, A, R> of(Supplier<A> create, java.util.function.BiFunction<A, T, A> add,
      BinaryOperator<A> merge, Function<A, R> result) {
    Objects.requireNonNull(create, "create");
    Objects.requireNonNull(add, "add");
    Objects.requireNonNull(merge, "merge");
    Objects.requireNonNull(result, "result");
    return new Aggregate<>() {
      @Override
      public A createAccumulator() {
        return create.get();
      }

      @Override
      public A add(A accumulator, T value) {
        return add.apply(accumulator, value);
      }

      @Override
      public A merge(A a, A b) {
        return merge.apply(a, b);
      }

      @Override
      public R result(A accumulator) {
        return result.apply(accumulator);
      }
    };
  }
}
