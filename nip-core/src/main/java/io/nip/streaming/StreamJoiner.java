package io.nip.streaming;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.JoinType;
import io.nip.pipeline.JoinWindow;
import io.nip.join.Joins;
import io.nip.pipeline.Table;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.source.Source;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The tutorial's {@code StreamJoiner}: a left and a right source joined on a key with one of three
 * merge strategies, each an event-time join of {@link Joins} with durable state.
 *
 * <ul>
 *   <li>{@link MergeStrategy#LATEST}: the right source is a table's changelog (e.g. a compacted
 *       {@code user-profiles} topic); each left record joins the right record of its key that was
 *       current at the left record's event time;
 *   <li>{@link MergeStrategy#WINDOW}: each left record joins every right record of its key within
 *       {@link #window} around its time, as soon as both are there;
 *   <li>{@link MergeStrategy#ALL}: each left record joins every right record of its key from the
 *       last {@link #retention} before its time.
 * </ul>
 *
 * <pre>{@code
 * StreamJoiner<String, UserEvent, Profile> joiner =
 *     StreamJoiner.<String, UserEvent, Profile>named("user_profile_joiner", MergeStrategy.LATEST)
 *         .leftStream(userEvents, UserEvent::userId, Serdes.json(UserEvent.class))
 *         .rightStream(userProfiles, Profile::userId, Serdes.json(Profile.class))
 *         .deletes(Profile::deleted);                       // tombstones of the compacted topic
 * PipelineHandle h = joiner.handler((event, profile) -> Map.of("event", event, "profile", profile))
 *     .to(enrichedSink).start();
 * }</pre>
 *
 * <p>Both sources' event times take the sources' timestamps (an {@code Event}'s own time, a Kafka
 * record's timestamp), with watermarks {@link #maxOutOfOrderness} behind (default 30 s): the
 * disorder the join waits for. Not thread-safe while being configured.
 *
 * @param <K> join key type
 * @param <L> left type
 * @param <R> right type
 */
public final class StreamJoiner<K, L, R> {
  /** How left records meet right records (the tutorial's {@code merge_strategy}). */
  public enum MergeStrategy {
    /** The right side is a table: each left record joins its key's value as of its time. */
    LATEST,
    /** Every right record within the retention before the left record's time. */
    ALL,
    /** Every right record within a join window around the left record's time. */
    WINDOW
  }

  /** Default {@link #retention}. */
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(1);
  /** Default {@link #maxOutOfOrderness}. */
  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(30);

  private final String name;
  private final MergeStrategy strategy;
  private Source<L> leftSource;
  private Function<? super L, ? extends K> leftKey;
  private Serde<L> leftSerde;
  private Source<R> rightSource;
  private Function<? super R, ? extends K> rightKey;
  private Serde<R> rightSerde;
  private Predicate<? super R> deletes = r -> false;
  private JoinWindow window;
  private Duration retention = DEFAULT_RETENTION;
  private Duration maxOutOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
  private JoinType type = JoinType.INNER;
  private Serde<K> keySerde;

  private StreamJoiner(String name, MergeStrategy strategy) {
    this.name = name;
    this.strategy = strategy;
  }

  /**
   * @param name the joiner's name: letters, digits, '-', '_', '.'; also the join operator's and the
   *     pipeline's
   * @param strategy how left records meet right records
   * @param <K> join key type
   * @param <L> left type
   * @param <R> right type
   * @return a joiner without sides
   * @throws ConfigurationException when the name is invalid
   */
  public static <K, L, R> StreamJoiner<K, L, R> named(String name, MergeStrategy strategy) {
    return new StreamJoiner<>(FacadeNames.check("StreamJoiner name", name), Objects.requireNonNull(strategy, "strategy"));
  }

  /**
   * @param source the left source
   * @param joinKey its join key; a null key is bad input (the pipeline's error policy)
   * @param serde how left records are kept in state while they wait
   * @return this
   */
  public StreamJoiner<K, L, R> leftStream(Source<L> source, Function<? super L, ? extends K> joinKey, Serde<L> serde) {
    this.leftSource = Objects.requireNonNull(source, "source");
    this.leftKey = Objects.requireNonNull(joinKey, "joinKey");
    this.leftSerde = Objects.requireNonNull(serde, "serde");
    return this;
  }

  /**
   * @param source the right source (under {@link MergeStrategy#LATEST}, the table's updates)
   * @param joinKey its join key; a null key is bad input
   * @param serde how right records are kept in state
   * @return this
   */
  public StreamJoiner<K, L, R> rightStream(Source<R> source, Function<? super R, ? extends K> joinKey,
      Serde<R> serde) {
    this.rightSource = Objects.requireNonNull(source, "source");
    this.rightKey = Objects.requireNonNull(joinKey, "joinKey");
    this.rightSerde = Objects.requireNonNull(serde, "serde");
    return this;
  }

  /**
   * Under {@link MergeStrategy#LATEST}: which right records delete their key from the table (e.g.
   * the values a Kafka source makes of tombstones, {@code KafkaSource.Builder#tombstones}).
   *
   * @param isDeletion true for a deletion
   * @return this
   */
  public StreamJoiner<K, L, R> deletes(Predicate<? super R> isDeletion) {
    this.deletes = Objects.requireNonNull(isDeletion, "deletes");
    return this;
  }

  /**
   * @param joinWindow under {@link MergeStrategy#WINDOW} (required there): the bounds around each left
   *     record's time
   * @return this
   */
  public StreamJoiner<K, L, R> window(JoinWindow joinWindow) {
    this.window = Objects.requireNonNull(joinWindow, "window");
    return this;
  }

  /**
   * @param r under {@link MergeStrategy#LATEST}, how long behind the watermark older table versions
   *     stay readable; under {@link MergeStrategy#ALL}, how far back right records are joined
   *     (default one hour)
   * @return this
   * @throws ConfigurationException when negative
   */
  public StreamJoiner<K, L, R> retention(Duration r) {
    if (Objects.requireNonNull(r, "retention").isNegative()) {
      throw ConfigurationException.invalid("StreamJoiner retention", r.toString(), "must be zero or positive");
    }
    this.retention = r;
    return this;
  }

  /**
   * @param bound both sources' largest disorder: watermarks stay this far behind the latest time
   *     seen (default 30 s)
   * @return this
   */
  public StreamJoiner<K, L, R> maxOutOfOrderness(Duration bound) {
    this.maxOutOfOrderness = Objects.requireNonNull(bound, "maxOutOfOrderness");
    return this;
  }

  /** @return this, left-outer: left records that found nothing are handled with a null right side */
  public StreamJoiner<K, L, R> leftOuter() {
    this.type = JoinType.LEFT_OUTER;
    return this;
  }

  /**
   * @param serde how join keys are kept in state (default JSON)
   * @return this
   */
  public StreamJoiner<K, L, R> keySerde(Serde<K> serde) {
    this.keySerde = Objects.requireNonNull(serde, "keySerde");
    return this;
  }

  /**
   * The tutorial's {@code @joiner.handler}.
   *
   * @param handler the result of a left record and its right side (null under left-outer when none);
   *     a null result emits nothing
   * @param <O> result type
   * @return the joiner with its handler, to be given a sink
   */
  public <O> Handled<O> handler(BiFunction<? super L, ? super R, ? extends O> handler) {
    return new Handled<>(Objects.requireNonNull(handler, "handler"));
  }

  /**
   * A joiner with its handler.
   *
   * @param <O> result type
   */
  public final class Handled<O> {
    private final BiFunction<? super L, ? super R, ? extends O> handler;
    private Sink<? super O> sink;

    private Handled(BiFunction<? super L, ? super R, ? extends O> handler) {
      this.handler = handler;
    }

    /**
     * @param output where results go
     * @return this
     */
    public Handled<O> to(Sink<? super O> output) {
      this.sink = Objects.requireNonNull(output, "sink");
      return this;
    }

    /**
     * Adds the join to {@code pipeline} and returns its results (without a sink).
     *
     * @param pipeline the pipeline both sources are read in
     * @return the joined stream
     * @throws ConfigurationException when a side is missing, or {@code WINDOW} has no window
     */
    public Stream<O> applyTo(Pipeline pipeline) {
      if (leftSource == null || rightSource == null) {
        throw new ConfigurationException("StreamJoiner '" + name + "'", "needs a leftStream and a rightStream");
      }
      if (strategy == MergeStrategy.WINDOW && window == null) {
        throw new ConfigurationException("StreamJoiner '" + name + "'", "the WINDOW strategy needs a window(..)");
      }
      Stream<L> left = pipeline.from(leftSource, WatermarkStrategy.<L>boundedOutOfOrderness(maxOutOfOrderness));
      Stream<R> right = pipeline.from(rightSource, WatermarkStrategy.<R>boundedOutOfOrderness(maxOutOfOrderness));
      Joins.Left<K, L> side = Joins.left(left, leftKey, leftSerde);
      Joins.Builder<K, L, R> join = switch (strategy) {
        case LATEST -> side.latest(Table.<R, K, R>from(right, rightKey, r -> deletes.test(r) ? null : r, rightSerde,
            retention));
        case ALL -> side.all(right, rightKey, rightSerde, retention);
        case WINDOW -> side.window(right, rightKey, rightSerde, window);
      };
      join.type(type);
      if (keySerde != null) {
        join.keySerde(keySerde);
      }
      return join.apply(handler, Op.named(name));
    }

    /**
     * @param config the pipeline's configuration
     * @return a pipeline named after the joiner, not started
     * @throws ConfigurationException when a side or the sink is missing
     */
    public Pipeline pipeline(PipelineConfig config) {
      if (sink == null) {
        throw new ConfigurationException("StreamJoiner '" + name + "'", "needs a sink: call to(..)");
      }
      Pipeline p = Pipeline.named(name, Objects.requireNonNull(config, "config"));
      applyTo(p).to(sink);
      return p;
    }

    /**
     * The tutorial's {@code joiner.start()}.
     *
     * @return the running pipeline
     * @throws ConfigurationException when a side or the sink is missing
     */
    public PipelineHandle start() {
      return pipeline(PipelineConfig.defaults()).start();
    }
  }
}
