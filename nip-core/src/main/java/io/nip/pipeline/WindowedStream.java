package io.nip.pipeline;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.internal.Node;
import io.nip.pipeline.internal.Ops;
import io.nip.window.Aggregate;
import io.nip.window.Aggregates;
import io.nip.window.EarlyEmit;
import io.nip.window.Window;
import io.nip.window.WindowAggregator;
import io.nip.window.WindowAssigner;
import io.nip.window.WindowFunction;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A keyed stream cut into windows. Configure lateness and early results, then aggregate.
 *
 * <pre>{@code
 * WindowOutput<String, Long, Click> counts = clicks.keyBy(Click::userId)
 *     .window(TumblingWindow.of(Duration.ofMinutes(5))).allowedLateness(Duration.ofMinutes(1))
 *     .aggregate(Aggregates.count());
 * counts.to(results);  counts.lateEvents().to(lateSink);
 * }</pre>
 *
 * @param <K> key type
 * @param <T> event type
 */
public final class WindowedStream<K, T> {
  private final KeyedStream<K, T> keyed;
  private final WindowAssigner assigner;
  private final Duration allowedLateness;
  private final EarlyEmit earlyEmit;
  private final boolean processingTime;

  WindowedStream(KeyedStream<K, T> keyed, WindowAssigner assigner, Duration lateness, EarlyEmit early,
      boolean processingTime) {
    this.keyed = keyed;
    this.assigner = assigner;
    this.allowedLateness = lateness;
    this.earlyEmit = early;
    this.processingTime = processingTime;
  }

  /**
   * @param lateness how long after its end a window still accepts events (each fires an update);
   *     not negative, default zero
   * @return a copy with that lateness
   */
  public WindowedStream<K, T> allowedLateness(Duration lateness) {
    Objects.requireNonNull(lateness, "lateness");
    if (lateness.isNegative()) {
      throw ConfigurationException.invalid("allowedLateness", lateness, "must not be negative");
    }
    return new WindowedStream<>(keyed, assigner, lateness, earlyEmit, processingTime);
  }

  /**
   * @param early when to emit speculative results before the window closes
   * @return a copy with early results
   */
  public WindowedStream<K, T> emitEarly(EarlyEmit early) {
    return new WindowedStream<>(keyed, assigner, allowedLateness, Objects.requireNonNull(early, "early"),
        processingTime);
  }

  /** @return a copy whose windows follow the pipeline clock instead of event time */
  public WindowedStream<K, T> inProcessingTime() {
    return new WindowedStream<>(keyed, assigner, allowedLateness, earlyEmit, true);
  }

  /**
   * @param aggregate an incremental aggregate
   * @param <R> result type
   * @return the window results (and the late events)
   */
  public <R> WindowOutput<K, R, T> aggregate(Aggregate<? super T, ?, R> aggregate) {
    return aggregate(aggregate, null);
  }

  /**
   * @param aggregate an incremental aggregate
   * @param op name (state scope) and error policy
   * @param <R> result type
   * @return the window results (and the late events)
   */
  public <R> WindowOutput<K, R, T> aggregate(Aggregate<? super T, ?, R> aggregate, Op op) {
    return build(Objects.requireNonNull(aggregate, "aggregate"), null, op);
  }

  /**
   * @param aggregator named aggregates and their combiner
   * @param <R> combined result type
   * @return the window results (and the late events)
   */
  public <R> WindowOutput<K, R, T> aggregate(WindowAggregator<? super T, R> aggregator) {
    return aggregate(aggregator, null);
  }

  /**
   * @param aggregator named aggregates and their combiner
   * @param op name and error policy
   * @param <R> combined result type
   * @return the window results (and the late events)
   */
  public <R> WindowOutput<K, R, T> aggregate(WindowAggregator<? super T, R> aggregator, Op op) {
    Objects.requireNonNull(aggregator, "aggregator");
    return build(aggregator.asAggregate(), aggregator, op);
  }

  /**
   * Calls a function with all events of each window: the costly path (the window keeps every
   * event). Prefer {@link #aggregate}.
   *
   * @param fn the window function
   * @param <R> result type
   * @return the window results (and the late events)
   */
  public <R> WindowOutput<K, R, T> process(WindowFunction<? super K, ? super T, R> fn) {
    Objects.requireNonNull(fn, "fn");
    @SuppressWarnings("unchecked")
    WindowFunction<K, T, R> f = (WindowFunction<K, T, R>) fn;
    @SuppressWarnings("unchecked")
    WindowAggregator<T, R> agg = WindowAggregator.<T>create().aggregate("events", Aggregates.<T>toList())
        .combined((k, s, e, a) -> f.apply((K) k, new Window(s, e), (List<T>) a.get("events")));
    return aggregate(agg, null);
  }

  private <R> WindowOutput<K, R, T> build(Aggregate<?, ?, ?> aggregate, WindowAggregator<?, ?> aggregator, Op op) {
    String[] name = new String[1];
    Node n = keyed.pipeline.graph.add(Node.Kind.OPERATOR, op == null ? null : op.name(), "window",
        op == null ? null : op.errorPolicy(),
        Ops.window(name, assigner, aggregate, aggregator, allowedLateness, earlyEmit, processingTime, keyed.keySerde),
        List.of(keyed.node), 0);
    name[0] = n.name();
    return new WindowOutput<>(keyed.pipeline, n);
  }

  /**
   * The results of a windowed aggregation: a stream of {@link WindowResult}s, plus the side output
   * of events that arrived too late for every window they belong to.
   *
   * @param <K> key type
   * @param <R> result type
   * @param <T> event type
   */
  public static final class WindowOutput<K, R, T> extends Stream<WindowResult<K, R>> {
    WindowOutput(Pipeline pipeline, Node node) {
      super(pipeline, node, 0);
    }

    /** @return the late events, to route to any sink (they are also counted) */
    public Stream<T> lateEvents() {
      return new Stream<>(pipeline, node, 1);
    }
  }
}
