package io.nip.pipeline.internal;

import io.nip.operators.internal.AsyncOp;
import io.nip.operators.internal.HeaderOps;
import io.nip.operators.internal.KeyedProcessOp;
import io.nip.operators.internal.StatelessOps;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.RecordProcessor;
import io.nip.window.internal.WindowOp;
import io.nip.serde.Serde;
import io.nip.event.Headers;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Factories of the built-in operators, used by the DSL. Keeps operator classes package-private
 * while the public DSL lives in {@code io.nip.pipeline}.
 */
public final class Ops {
  private Ops() {}

  /**
   * @param p predicate
   * @return factory of a filter
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory filter(Predicate<?> p) {
    return g -> new StatelessOps.FilterOp((Predicate<Object>) p, g);
  }

  /**
   * @param f function
   * @return factory of a map
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory map(Function<?, ?> f) {
    return g -> new StatelessOps.MapOp((Function<Object, Object>) f, g);
  }

  /**
   * @param f function
   * @return factory of a flatMap
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory flatMap(Function<?, ? extends Iterable<?>> f) {
    return g -> new StatelessOps.FlatMapOp((Function<Object, Iterable<?>>) f, g);
  }

  /**
   * @param f function of value and headers
   * @return factory of a mapWithHeaders
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory mapWithHeaders(BiFunction<?, Headers, ?> f) {
    return g -> new HeaderOps.MapWithHeadersOp((BiFunction<Object, Headers, Object>) f, g);
  }

  /**
   * @param p the record processor
   * @return factory of a process operator
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory process(RecordProcessor<?, ?> p) {
    return g -> new HeaderOps.ProcessOp((RecordProcessor<Object, Object>) p, g);
  }

  /**
   * @param f new headers from value and headers
   * @return factory of a withHeaders
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory withHeaders(
      BiFunction<?, Headers, ? extends Headers> f) {
    return g -> new HeaderOps.WithHeadersOp(
        (BiFunction<Object, Headers, Headers>) f, g);
  }

  /**
   * @param c action
   * @return factory of a peek
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory peek(Consumer<?> c) {
    return g -> new StatelessOps.PeekOp((Consumer<Object>) c, g);
  }

  /**
   * @param limiter the shared rate limiter
   * @return factory of a rateLimit
   */
  public static OperatorFactory rateLimit(io.nip.backpressure.RateLimiter limiter) {
    return g -> new io.nip.backpressure.internal.RateLimitOp(limiter);
  }

  /**
   * @param f async function
   * @param maxInFlight bound
   * @param ordered keep order
   * @return factory of a mapAsync
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory mapAsync(Function<?, ? extends CompletionStage<?>> f, int maxInFlight, boolean ordered) {
    return g -> new AsyncOp((Function<Object, CompletionStage<?>>) (Function<?, ?>) f, maxInFlight, ordered, g);
  }

  /**
   * @param name holds the operator name (state scope), known once the node was added
   * @param p processor
   * @param keySerde key serde for state snapshots
   * @return factory of a keyed process operator
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory keyedProcess(String[] name, KeyedProcessor<?, ?, ?> p, Serde<?> keySerde) {
    return g -> new KeyedProcessOp(name[0], (KeyedProcessor<Object, Object, Object>) p, (Serde<Object>) keySerde, g);
  }




  /**
   * @param name operator name (state scope)
   * @param assigner window kind and sizes
   * @param aggregate incremental aggregate
   * @param aggregator named-aggregate combiner, or null
   * @param allowedLateness lateness
   * @param earlyEmit early results, or null
   * @param processingTime windows on the clock
   * @param keySerde writes keys of window state and timers in snapshots
   * @return factory of a window operator
   */
  @SuppressWarnings("unchecked")
  public static OperatorFactory window(String[] name, io.nip.window.WindowAssigner assigner,
      io.nip.window.Aggregate<?, ?, ?> aggregate, io.nip.window.WindowAggregator<?, ?> aggregator,
      java.time.Duration allowedLateness, io.nip.window.EarlyEmit earlyEmit, boolean processingTime,
      Serde<?> keySerde) {
    WindowOp.Spec spec = new WindowOp.Spec(assigner, (io.nip.window.Aggregate<Object, Object, Object>) aggregate,
        (io.nip.window.WindowAggregator<Object, Object>) aggregator, allowedLateness, earlyEmit, processingTime);
    return g -> new WindowOp(name[0], spec, (Serde<Object>) keySerde, g);
  }

  /**
   * Builds a join for {@code Stream.join} / {@code Stream.leftJoin} (see
   * {@link io.nip.join.internal.JoinAssembly#build}).
   *
   * @return the joined stream
   */
  public static <K, L, R, O> io.nip.pipeline.Stream<O> join(io.nip.pipeline.Stream<L> left,
      Function<? super L, ? extends K> leftKey, io.nip.serde.Serde<L> leftSerde, io.nip.pipeline.Stream<?> right,
      Function<Object, ? extends K> rightKey, Function<Object, ? extends R> rightValue,
      io.nip.serde.Serde<R> rightSerde, io.nip.pipeline.JoinWindow window, long retentionMillis, boolean leftOuter,
      java.util.function.BiFunction<? super L, ? super R, ? extends O> joiner, io.nip.pipeline.Op op) {
    return io.nip.join.internal.JoinAssembly.build(left, leftKey, leftSerde, right, rightKey, rightValue, rightSerde,
        window, retentionMillis, leftOuter, null, joiner, op);
  }
}
