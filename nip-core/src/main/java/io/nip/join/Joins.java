package io.nip.join;

import io.nip.errors.ConfigurationException;
import io.nip.join.internal.JoinAssembly;
import io.nip.pipeline.JoinType;
import io.nip.pipeline.JoinWindow;
import io.nip.pipeline.Op;
import io.nip.pipeline.Stream;
import io.nip.pipeline.Table;
import io.nip.serde.Serde;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Event-time joins of two streams of one pipeline, keyed by a join key, with durable state (the
 * pipeline's state backend, checkpoints and changelog) that expires with the join window or the
 * table's retention. Three strategies (the tutorial's {@code merge_strategy}):
 *
 * <ul>
 *   <li>{@link Left#latest latest}: stream–table; each left record joins the table's value for its
 *       key <em>as of</em> the record's event time, once the watermark has passed that time, so an
 *       update that happened earlier but arrives later is still seen;
 *   <li>{@link Left#window window}: stream–stream; each left record joins every right record of its
 *       key within a {@link JoinWindow} around its time, a pair emitted as soon as both are there;
 *   <li>{@link Left#all all}: each left record joins every right record of its key from the last
 *       {@code retention} before its time ({@code window} with {@code [t - retention, t]}).
 * </ul>
 *
 * <p>Inner by default; {@link Builder#leftOuter()} also emits each left record that found nothing,
 * with a {@code null} right side, once nothing can match it any more. Both sides are tagged, merged
 * (the join follows the minimum of their watermarks) and keyed; a null join key is bad input and
 * follows the pipeline's error policy; records too late to be joined exactly are counted in
 * {@code nip.join.late.events} (tags pipeline, operator, side) and logged.
 *
 * <pre>{@code
 * Stream<Enriched> enriched = Joins.left(events, UserEvent::userId, Serdes.json(UserEvent.class))
 *     .latest(profiles)                     // Table<String, Profile>
 *     .leftOuter()                          // events of unknown users too, with a null profile
 *     .apply(Enriched::new, Op.named("user_profile_joiner"));
 *
 * Stream<Attribution> attributed = Joins.left(purchases, Purchase::userId, purchaseSerde)
 *     .window(clicks, Click::userId, clickSerde, JoinWindow.of(Duration.ofMinutes(30), Duration.ZERO))
 *     .apply(Attribution::new, Op.named("click-to-purchase"));
 * }</pre>
 */
public final class Joins {
  private Joins() {}

  /**
   * @param left the left stream
   * @param keyFn its join key
   * @param leftSerde how left records are kept in state while they wait
   * @param <K> key type
   * @param <L> left type
   * @return the left side, to be joined with a right side
   */
  public static <K, L> Left<K, L> left(Stream<L> left, Function<? super L, ? extends K> keyFn, Serde<L> leftSerde) {
    return new Left<>(Objects.requireNonNull(left, "left"), Objects.requireNonNull(keyFn, "keyFn"),
        Objects.requireNonNull(leftSerde, "leftSerde"));
  }

  /**
   * The left side of a join.
   *
   * @param <K> key type
   * @param <L> left type
   */
  public static final class Left<K, L> {
    private final Stream<L> stream;
    private final Function<? super L, ? extends K> keyFn;
    private final Serde<L> serde;

    private Left(Stream<L> stream, Function<? super L, ? extends K> keyFn, Serde<L> serde) {
      this.stream = stream;
      this.keyFn = keyFn;
      this.serde = serde;
    }

    /**
     * Stream–table join: each left record with the table's value for its key as of its time.
     *
     * @param table the versioned table
     * @param <V> value type
     * @return the join, to be applied
     */
    public <V> Builder<K, L, V> latest(Table<K, V> table) {
      Objects.requireNonNull(table, "table");
      return new Builder<>(this, table.changes(), table.keyFn(), table.valueFn(), table.valueSerde(), null,
          table.retention().toMillis());
    }

    /**
     * Stream–stream join within a window around each left record's time.
     *
     * @param right the right stream
     * @param keyFn its join key
     * @param rightSerde how right records are kept in state
     * @param window the bounds
     * @param <R> right type
     * @return the join, to be applied
     */
    public <R> Builder<K, L, R> window(Stream<R> right, Function<? super R, ? extends K> keyFn, Serde<R> rightSerde,
        JoinWindow window) {
      Objects.requireNonNull(window, "window");
      return stream(right, keyFn, rightSerde, window);
    }

    /**
     * Each left record with every right record of its key from the last {@code retention} before its
     * time (both ends included).
     *
     * @param right the right stream
     * @param keyFn its join key
     * @param rightSerde how right records are kept in state
     * @param retention how far back right records are joined
     * @param <R> right type
     * @return the join, to be applied
     * @throws ConfigurationException when {@code retention} is negative
     */
    public <R> Builder<K, L, R> all(Stream<R> right, Function<? super R, ? extends K> keyFn, Serde<R> rightSerde,
        Duration retention) {
      return stream(right, keyFn, rightSerde, JoinWindow.of(retention, Duration.ZERO));
    }

    @SuppressWarnings("unchecked")
    private <R> Builder<K, L, R> stream(Stream<R> right, Function<? super R, ? extends K> keyFn, Serde<R> rightSerde,
        JoinWindow window) {
      Objects.requireNonNull(right, "right");
      Objects.requireNonNull(keyFn, "keyFn");
      Objects.requireNonNull(rightSerde, "rightSerde");
      return new Builder<>(this, right, (Function<Object, ? extends K>) keyFn, v -> (R) v, rightSerde, window, 0);
    }
  }

  /**
   * A join ready to be applied.
   *
   * @param <K> key type
   * @param <L> left type
   * @param <R> right (or table value) type
   */
  public static final class Builder<K, L, R> {
    private final Left<K, L> left;
    private final Stream<?> right;
    private final Function<Object, ? extends K> rightKey;
    private final Function<Object, ? extends R> rightValue;
    private final Serde<R> rightSerde;
    /** Null for a table join. */
    private final JoinWindow window;
    private final long retentionMillis;
    private JoinType type = JoinType.INNER;
    private Serde<K> keySerde;

    private Builder(Left<K, L> left, Stream<?> right, Function<Object, ? extends K> rightKey,
        Function<Object, ? extends R> rightValue, Serde<R> rightSerde, JoinWindow window, long retentionMillis) {
      this.left = left;
      this.right = right;
      this.rightKey = rightKey;
      this.rightValue = rightValue;
      this.rightSerde = rightSerde;
      this.window = window;
      this.retentionMillis = retentionMillis;
    }

    /**
     * @param joinType inner (default) or left-outer
     * @return this
     */
    public Builder<K, L, R> type(JoinType joinType) {
      this.type = Objects.requireNonNull(joinType, "type");
      return this;
    }

    /** @return this, left-outer: left records that found nothing are emitted with a null right side */
    public Builder<K, L, R> leftOuter() {
      return type(JoinType.LEFT_OUTER);
    }

    /**
     * @param serde how join keys are kept in state (default JSON)
     * @return this
     */
    public Builder<K, L, R> keySerde(Serde<K> serde) {
      this.keySerde = Objects.requireNonNull(serde, "keySerde");
      return this;
    }

    /**
     * Builds the join into the pipeline: operators {@code <name>-left} and {@code <name>-right} (the
     * tagging steps), a merge, a key exchange, and the keyed join {@code <name>}.
     *
     * @param joiner the result of a pair (the right side null for a left-outer record without a
     *     match); a null result emits nothing
     * @param op the join's name (required) and error policy
     * @param <O> result type
     * @return the joined stream; each result at its left record's time (table joins) or at the later
     *     of the pair's times (stream joins)
     * @throws ConfigurationException when a name is taken, or the streams are of different pipelines
     */
    public <O> Stream<O> apply(BiFunction<? super L, ? super R, ? extends O> joiner, Op op) {
      return JoinAssembly.build(left.stream, left.keyFn, left.serde, right, rightKey, rightValue, rightSerde, window,
          retentionMillis, type == JoinType.LEFT_OUTER, keySerde, joiner, op);
    }
  }
}
