package io.nip.window.internal;

import io.nip.serde.Serde;
import io.nip.window.Aggregate;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link Aggregate} made of four functions and an optional accumulator serde: the class behind
 * {@code Aggregate.of} and the built-ins. Giving it a serde makes a copy, not a wrapper, so the
 * per-event path stays one call to the user's (or built-in's) function.
 *
 * @param <T> event type
 * @param <A> accumulator type
 * @param <R> result type
 */
public final class FunctionAggregate<T, A, R> implements Aggregate<T, A, R> {
  private final Supplier<A> create;
  private final BiFunction<A, T, A> add;
  private final BinaryOperator<A> merge;
  private final Function<A, R> result;
  private final Serde<A> serde;

  /**
   * @param create new accumulator
   * @param add fold one event in
   * @param merge combine two
   * @param result read the result
   * @param serde the accumulator serde, or null
   */
  public FunctionAggregate(Supplier<A> create, BiFunction<A, T, A> add, BinaryOperator<A> merge,
      Function<A, R> result, Serde<A> serde) {
    this.create = create;
    this.add = add;
    this.merge = merge;
    this.result = result;
    this.serde = serde;
  }

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

  @Override
  public Serde<A> accumulatorSerde() {
    return serde;
  }

  @Override
  public Aggregate<T, A, R> withAccumulatorSerde(Serde<A> accumulatorSerde) {
    return new FunctionAggregate<>(create, add, merge, result,
        java.util.Objects.requireNonNull(accumulatorSerde, "accumulatorSerde"));
  }
}
