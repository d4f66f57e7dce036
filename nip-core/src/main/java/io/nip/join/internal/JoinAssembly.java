package io.nip.join.internal;

import io.nip.pipeline.JoinWindow;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Stream;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Builds a join into a pipeline, for both entry points ({@code Joins} and {@code Stream.join}):
 * each side mapped to {@link Tagged} ({@code <name>-left}, {@code <name>-right}), the two merged
 * (the join follows the minimum of their watermarks), keyed by the join key, and the keyed join
 * operator {@code <name>}: a {@link TemporalJoin} for a table, an {@link IntervalJoin} for a
 * window. Stateless; called while a pipeline is being defined.
 */
public final class JoinAssembly {
  private JoinAssembly() {}

  /**
   * @param left the left stream
   * @param leftKey its join key
   * @param leftSerde how left records are kept in state
   * @param right the right stream (a table's updates, or the other stream)
   * @param rightKey its join key
   * @param rightValue what a right record contributes (a table's value function; null: tombstone)
   * @param rightSerde how right values are kept in state
   * @param window the stream join's bounds, or null for a table join
   * @param retentionMillis a table's retention (ignored for windows)
   * @param leftOuter true to emit unmatched left records with a null right side
   * @param keySerde how keys are kept in state, or null for JSON
   * @param joiner the result of a pair
   * @param op the join's name and error policy
   * @param <K> key type
   * @param <L> left type
   * @param <R> right value type
   * @param <O> result type
   * @return the joined stream
   */
  @SuppressWarnings("unchecked")
  public static <K, L, R, O> Stream<O> build(Stream<L> left, Function<? super L, ? extends K> leftKey,
      Serde<L> leftSerde, Stream<?> right, Function<Object, ? extends K> rightKey,
      Function<Object, ? extends R> rightValue, Serde<R> rightSerde, JoinWindow window, long retentionMillis,
      boolean leftOuter, Serde<K> keySerde, BiFunction<? super L, ? super R, ? extends O> joiner, Op op) {
    Objects.requireNonNull(joiner, "joiner");
    Objects.requireNonNull(op, "op");
    String name = op.name();
    Stream<Tagged> lefts = left.map(v -> new Tagged(true, leftKey.apply(v), v), Op.named(name + "-left"));
    Stream<Tagged> rights = ((Stream<Object>) right).map(v -> new Tagged(false, rightKey.apply(v), rightValue.apply(v)),
        Op.named(name + "-right"));
    JoinState.StateSerde<L, R> serde = new JoinState.StateSerde<>(leftSerde, rightSerde);
    KeyedProcessor<K, Tagged, O> processor = window == null
        ? new TemporalJoin<>(serde, joiner, leftOuter, retentionMillis, name + "-right")
        : new IntervalJoin<>(serde, joiner, leftOuter, window.before().toMillis(), window.after().toMillis());
    Serde<K> ks = keySerde != null ? keySerde : (Serde<K>) Serdes.json(Object.class);
    return lefts.merge(rights).keyBy(t -> (K) t.key(), ks).process(processor, op);
  }
}
