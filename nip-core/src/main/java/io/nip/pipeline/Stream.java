package io.nip.pipeline;

import io.nip.backpressure.RateLimiter;
import io.nip.backpressure.Throttled;
import io.nip.event.Headers;
import io.nip.pipeline.internal.Node;
import io.nip.pipeline.internal.NodeSpec;
import io.nip.pipeline.internal.Ops;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An unkeyed stream of records. Each operator returns a new stream; a stream may feed several
 * operators (fan-out). Operators without {@link Op} options get generated names.
 *
 * <pre>{@code
 * pipeline.from(source)
 *     .filter(e -> e.priority() >= 5)
 *     .map(Enricher::enrich, Op.named("enrich"))
 *     .to(sink);
 * }</pre>
 *
 * @param <T> the value type
 */
public class Stream<T> {
  final Pipeline pipeline;
  final Node node;
  private final int port;

  Stream(Pipeline pipeline, Node node) {
    this(pipeline, node, 0);
  }

  Stream(Pipeline pipeline, Node node, int port) {
    this.pipeline = pipeline;
    this.node = node;
    this.port = port;
  }

  private <R> Stream<R> add(Node.Kind kind, String defaultName, Op op, Object payload) {
    Node n = pipeline.graph.add(kind, op == null ? null : op.name(), defaultName,
        op == null ? null : op.errorPolicy(), payload, List.of(node), port);
    return new Stream<>(pipeline, n);
  }

  /**
   * @param predicate keeps records for which it is true
   * @return the filtered stream
   */
  public Stream<T> filter(Predicate<? super T> predicate) {
    return filter(predicate, null);
  }

  /**
   * @param predicate keeps records for which it is true
   * @param op name and error policy
   * @return the filtered stream
   */
  public Stream<T> filter(Predicate<? super T> predicate, Op op) {
    return add(Node.Kind.OPERATOR, "filter", op, Ops.filter(Objects.requireNonNull(predicate, "predicate")));
  }

  /**
   * @param fn one result per record, never null
   * @param <R> result type
   * @return the mapped stream
   */
  public <R> Stream<R> map(Function<? super T, ? extends R> fn) {
    return map(fn, null);
  }

  /**
   * A function wrapped by {@link RateLimiter#throttle} runs behind its limiter, as
   * {@code rateLimit(limiter).map(handler, op)}.
   *
   * @param fn one result per record
   * @param op name and error policy
   * @param <R> result type
   * @return the mapped stream
   */
  @SuppressWarnings("unchecked")
  public <R> Stream<R> map(Function<? super T, ? extends R> fn, Op op) {
    if (fn instanceof Throttled) {
      Throttled<?, ?> t = (Throttled<?, ?>) fn;
      return rateLimit(t.limiter()).map((Function<? super T, ? extends R>) t.handler(), op);
    }
    return add(Node.Kind.OPERATOR, "map", op, Ops.map(Objects.requireNonNull(fn, "fn")));
  }

  /**
   * @param fn zero or more results per record
   * @param <R> result type
   * @return the flattened stream
   */
  public <R> Stream<R> flatMap(Function<? super T, ? extends Iterable<? extends R>> fn) {
    return flatMap(fn, null);
  }

  /**
   * @param fn zero or more results per record
   * @param op options
   * @param <R> result type
   * @return the flattened stream
   */
  public <R> Stream<R> flatMap(Function<? super T, ? extends Iterable<? extends R>> fn, Op op) {
    return add(Node.Kind.OPERATOR, "flatMap", op, Ops.flatMap(Objects.requireNonNull(fn, "fn")));
  }

  /**
   * Maps each record with its headers (the source's, e.g. Kafka record headers, or those set by
   * {@link #withHeaders}); the result keeps the record's headers, key and time.
   *
   * <pre>{@code
   * stream.mapWithHeaders((order, headers) -> order.withTrace(headers.lastString("trace-id")))
   * }</pre>
   *
   * @param fn one result per record, never null; the headers are never null ({@link Headers#EMPTY}
   *     when the record has none)
   * @param <R> result type
   * @return the mapped stream
   */
  public <R> Stream<R> mapWithHeaders(BiFunction<? super T, Headers, ? extends R> fn) {
    return mapWithHeaders(fn, null);
  }

  /**
   * @param fn one result per record, from the value and its headers
   * @param op name and error policy
   * @param <R> result type
   * @return the mapped stream
   */
  public <R> Stream<R> mapWithHeaders(BiFunction<? super T, Headers, ? extends R> fn, Op op) {
    return add(Node.Kind.OPERATOR, "mapWithHeaders", op, Ops.mapWithHeaders(Objects.requireNonNull(fn, "fn")));
  }

  /**
   * Replaces each record's headers with what {@code fn} returns for it; the value, key and time are
   * unchanged. Headers travel with the record through later operators and the key exchange, to
   * sinks that write them (e.g. the Kafka sink). Window and timer results start without headers.
   *
   * <pre>{@code
   * stream.withHeaders((order, headers) -> headers.with("tenant", order.tenant()))
   * }</pre>
   *
   * @param fn the record's new headers from its value and current headers; never null (return
   *     {@link Headers#EMPTY} to drop them, or {@code headers} itself to keep them)
   * @return the same records with new headers
   */
  public Stream<T> withHeaders(BiFunction<? super T, Headers, Headers> fn) {
    return withHeaders(fn, null);
  }

  /**
   * @param fn the record's new headers from its value and current headers
   * @param op name and error policy
   * @return the same records with new headers
   */
  public Stream<T> withHeaders(BiFunction<? super T, Headers, Headers> fn, Op op) {
    return add(Node.Kind.OPERATOR, "withHeaders", op, Ops.withHeaders(Objects.requireNonNull(fn, "fn")));
  }

  /**
   * The low-level stateless operator: any number of results per record, each with the record's
   * headers or headers of its own ({@link RecordProcessor}). Results go downstream after the call
   * returns, in order; a call that throws emits nothing and the error policy applies to the record.
   *
   * <pre>{@code
   * Stream<String> words = lines.process((line, ctx) -> {
   *   for (String w : line.split(" ")) ctx.emit(w, ctx.headers().with("source", "lines"));
   * });
   * }</pre>
   *
   * @param processor called once per record (again for each retry of a retry policy), on the task's
   *     thread
   * @param <R> result type
   * @return the results
   * @throws NullPointerException when {@code processor} is null
   */
  public <R> Stream<R> process(RecordProcessor<? super T, R> processor) {
    return process(processor, null);
  }

  /**
   * @param processor called once per record
   * @param op name and error policy
   * @param <R> result type
   * @return the results
   * @throws NullPointerException when {@code processor} is null
   */
  public <R> Stream<R> process(RecordProcessor<? super T, R> processor, Op op) {
    return add(Node.Kind.OPERATOR, "process", op, Ops.process(Objects.requireNonNull(processor, "processor")));
  }

  /**
   * @param action a side effect per record
   * @return the same records
   */
  public Stream<T> peek(Consumer<? super T> action) {
    return peek(action, null);
  }

  /**
   * An action wrapped by {@link RateLimiter#throttleEach} runs behind its limiter, as
   * {@code rateLimit(limiter).peek(handler, op)}.
   *
   * @param action a side effect per record
   * @param op options
   * @return the same records
   */
  @SuppressWarnings("unchecked")
  public Stream<T> peek(Consumer<? super T> action, Op op) {
    if (action instanceof Throttled.Action) {
      Throttled.Action<?> t = (Throttled.Action<?>) action;
      return rateLimit(t.limiter()).peek((Consumer<? super T>) t.handler(), op);
    }
    return add(Node.Kind.OPERATOR, "peek", op, Ops.peek(Objects.requireNonNull(action, "action")));
  }

  /**
   * Lets records pass at most at the limiter's rate, with its bursts (a token bucket on the
   * pipeline's clock). A record without a token waits — never dropped: its task yields its worker
   * thread and reads no more input until the token comes, so the source pauses (backpressure).
   * The limiter's rate is for all tasks of the operator together.
   *
   * <pre>{@code
   * pipeline.from(source).rateLimit(new RateLimiter(1000, 100)).map(this::callService).to(sink);
   * }</pre>
   *
   * @param limiter the rate and burst; a {@link io.nip.backpressure.DynamicThrottler}'s
   *     {@code limiter()} follows its adjusted rate
   * @return the same records, no faster than the limiter allows
   */
  public Stream<T> rateLimit(RateLimiter limiter) {
    return rateLimit(limiter, null);
  }

  /**
   * @param limiter the rate and burst
   * @param op name (the error policy does not apply: a rate limiter never fails a record)
   * @return the same records, no faster than the limiter allows
   */
  public Stream<T> rateLimit(RateLimiter limiter, Op op) {
    return add(Node.Kind.OPERATOR, "rateLimit", op, Ops.rateLimit(Objects.requireNonNull(limiter, "limiter")));
  }

  /**
   * Calls an asynchronous function per record with at most {@code options.maxInFlight()} calls in
   * flight; results are emitted on the pipeline's thread.
   *
   * @param fn starts the call
   * @param options in-flight bound and ordering
   * @param <R> result type
   * @return the stream of results
   */
  public <R> Stream<R> mapAsync(Function<? super T, ? extends CompletionStage<R>> fn, AsyncOptions options) {
    return mapAsync(fn, options, null);
  }

  /**
   * @param fn starts the call
   * @param options in-flight bound and ordering
   * @param op name and error policy
   * @param <R> result type
   * @return the stream of results
   */
  public <R> Stream<R> mapAsync(Function<? super T, ? extends CompletionStage<R>> fn, AsyncOptions options, Op op) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(options, "options");
    return add(Node.Kind.OPERATOR, "mapAsync", op, Ops.mapAsync(fn, options.maxInFlight(), options.ordered()));
  }

  /**
   * Partitions the stream by key, so that all records of a key meet in one task with its state.
   * Keys are stored in snapshots as JSON; give a serde with {@link #keyBy(Function, Serde)} for
   * other key types.
   *
   * @param keyFn extracts the key; a null key is bad input and follows the error policy
   * @param <K> key type
   * @return the keyed stream
   */
  public <K> KeyedStream<K, T> keyBy(Function<? super T, ? extends K> keyFn) {
    @SuppressWarnings("unchecked")
    Serde<K> serde = (Serde<K>) Serdes.json(Object.class);
    return keyBy(keyFn, serde);
  }

  /**
   * @param keyFn extracts the key
   * @param keySerde how keys are stored in state snapshots
   * @param <K> key type
   * @return the keyed stream
   */
  public <K> KeyedStream<K, T> keyBy(Function<? super T, ? extends K> keyFn, Serde<K> keySerde) {
    return keyed(keyFn, keySerde, false);
  }

  /**
   * Keys a stream whose source is already partitioned by this key: every record of a key arrives
   * through the same source partition, as in a Kafka topic whose records carry the key as their
   * record key (the default partitioner puts equal keys in one partition). The keyed operators then
   * run in the source partition's own task with its own state, and records skip the exchange
   * between tasks, as with Kafka Streams' {@code groupByKey} on a keyed topic. Parallelism is the
   * number of source partitions; each partition's windows follow that partition's watermark.
   *
   * <pre>{@code
   * pipeline.from(KafkaSource.builder("user-events", serde)...build())   // records keyed by user_id
   *     .keyByPartitioned(UserEvent::userId)
   *     .window(TumblingWindow.of(Duration.ofMinutes(5)))
   *     .aggregate(Aggregates.count())
   *     .to(sink);
   * }</pre>
   *
   * <p>The promise is the caller's: if a key also arrives through another partition, each
   * partition keeps its own state for it, and a window of that key is emitted once per partition,
   * each with part of the events. When the input's partitioning is not known, use
   * {@link #keyBy(Function)}. "Partition" means the task the stream runs in: a source partition, or,
   * after a {@code keyBy}, a keyed task (re-keying by the same key there is safe); a stream merged
   * from several sources has one task per partition of each source.
   *
   * @param keyFn extracts the key; a null key is bad input and follows the error policy
   * @param <K> key type
   * @return the keyed stream
   */
  public <K> KeyedStream<K, T> keyByPartitioned(Function<? super T, ? extends K> keyFn) {
    @SuppressWarnings("unchecked")
    Serde<K> serde = (Serde<K>) Serdes.json(Object.class);
    return keyByPartitioned(keyFn, serde);
  }

  /**
   * @param keyFn extracts the key
   * @param keySerde how keys are stored in state snapshots
   * @param <K> key type
   * @return the keyed stream, keyed within each source partition
   * @see #keyByPartitioned(Function)
   */
  public <K> KeyedStream<K, T> keyByPartitioned(Function<? super T, ? extends K> keyFn, Serde<K> keySerde) {
    return keyed(keyFn, keySerde, true);
  }

  private <K> KeyedStream<K, T> keyed(Function<? super T, ? extends K> keyFn, Serde<K> keySerde, boolean local) {
    Objects.requireNonNull(keyFn, "keyFn");
    Objects.requireNonNull(keySerde, "keySerde");
    Node n = pipeline.graph.add(Node.Kind.EXCHANGE, null, local ? "keyByPartitioned" : "keyBy", null,
        new NodeSpec.ExchangeSpec(keyFn, keySerde, local), List.of(node), port);
    return new KeyedStream<>(pipeline, n, keySerde);
  }

  /**
   * Splits the stream by conditions; records matching none take the default route.
   *
   * @param routes the named conditions
   * @return one stream per route
   */
  public RoutedStreams<T> route(Routes<T> routes) {
    return route(routes, null);
  }

  /**
   * @param routes the named conditions
   * @param op name and error policy of the router
   * @return one stream per route
   */
  public RoutedStreams<T> route(Routes<T> routes, Op op) {
    Objects.requireNonNull(routes, "routes");
    Node n = pipeline.graph.add(Node.Kind.ROUTE, op == null ? null : op.name(), "route",
        op == null ? null : op.errorPolicy(), new NodeSpec.RouteSpec(new ArrayList<>(routes.conditions()), routes.isFirstMatch()),
        List.of(node), port);
    Map<String, Stream<T>> out = new LinkedHashMap<>();
    int p = 0;
    for (String name : routes.allNames()) {
      out.put(name, new Stream<>(pipeline, n, p++));
    }
    return new RoutedStreams<>(out);
  }

  /**
   * @param others streams of the same pipeline to interleave with this one
   * @return one stream of all their records; its watermark is the minimum of theirs
   */
  @SafeVarargs
  public final Stream<T> merge(Stream<? extends T>... others) {
    List<Node> inputs = new ArrayList<>();
    inputs.add(portZero(this).node);
    for (Stream<? extends T> o : others) {
      Objects.requireNonNull(o, "stream");
      if (o.pipeline != pipeline) {
        throw new io.nip.errors.ConfigurationException("merge", "cannot merge streams of different pipelines");
      }
      inputs.add(portZero(o).node);
    }
    Node n = pipeline.graph.add(Node.Kind.MERGE, null, "merge", null, null, inputs, 0);
    return new Stream<>(pipeline, n);
  }

  /** A route output is port N of its router; merging needs port 0, so it passes an identity step. */
  private static <X> Stream<? extends X> portZero(Stream<? extends X> s) {
    return s.port == 0 ? s : s.map(x -> x);
  }

  /**
   * Stream–table join: each record joins the table's value for its key as of the record's event
   * time, emitted once the watermark has passed that time (so an update that happened earlier but
   * arrives later is still seen); records whose key has no value (or a deleted one) emit nothing.
   * The join's state (waiting records, the table's versions within its retention) is keyed state of
   * operator {@code op}; see nip-core's README, "Joins", and {@code io.nip.join.Joins} for the same
   * joins as a builder.
   *
   * <pre>{@code
   * Stream<Enriched> enriched = events.join(profiles, UserEvent::userId, Serdes.json(UserEvent.class),
   *     Enriched::new, Op.named("enrich"));
   * }</pre>
   *
   * @param table the versioned table ({@link Pipeline#table}, {@link Table#from})
   * @param keyFn this stream's join key; a null key is bad input (the error policy)
   * @param serde how this stream's records are kept in state while they wait
   * @param joiner the result of a record and its value; a null result emits nothing
   * @param op the join's name (required) and error policy
   * @param <K> key type
   * @param <V> table value type
   * @param <R> result type
   * @return the joined stream, each result at its record's time
   * @throws io.nip.errors.ConfigurationException when a name is taken or the table is of another pipeline
   */
  public <K, V, R> Stream<R> join(Table<K, V> table, Function<? super T, ? extends K> keyFn, Serde<T> serde,
      java.util.function.BiFunction<? super T, ? super V, ? extends R> joiner, Op op) {
    return tableJoin(table, keyFn, serde, joiner, op, false);
  }

  /**
   * {@link #join(Table, Function, Serde, java.util.function.BiFunction, Op)}, left-outer: a record
   * whose key has no value at its time is joined with {@code null}.
   *
   * @param table the versioned table
   * @param keyFn this stream's join key
   * @param serde how this stream's records are kept in state while they wait
   * @param joiner the result of a record and its value (null when none)
   * @param op the join's name (required) and error policy
   * @param <K> key type
   * @param <V> table value type
   * @param <R> result type
   * @return the joined stream
   */
  public <K, V, R> Stream<R> leftJoin(Table<K, V> table, Function<? super T, ? extends K> keyFn, Serde<T> serde,
      java.util.function.BiFunction<? super T, ? super V, ? extends R> joiner, Op op) {
    return tableJoin(table, keyFn, serde, joiner, op, true);
  }

  private <K, V, R> Stream<R> tableJoin(Table<K, V> table, Function<? super T, ? extends K> keyFn, Serde<T> serde,
      java.util.function.BiFunction<? super T, ? super V, ? extends R> joiner, Op op, boolean outer) {
    Objects.requireNonNull(table, "table");
    return io.nip.pipeline.internal.Ops.join(this, Objects.requireNonNull(keyFn, "keyFn"),
        Objects.requireNonNull(serde, "serde"), table.changes(), table.keyFn(), table.valueFn(), table.valueSerde(),
        null, table.retention().toMillis(), outer, joiner, op);
  }

  /**
   * Stream–stream join: each record joins every record of {@code other} with its key whose time
   * lies within {@code window} around its own ({@code [t - before, t + after]}); each pair is
   * emitted once, as soon as both are there, at the later of the two times.
   *
   * <pre>{@code
   * Stream<Attribution> a = purchases.join(clicks, Purchase::userId, Click::userId,
   *     JoinWindow.of(Duration.ofMinutes(30), Duration.ZERO), purchaseSerde, clickSerde,
   *     Attribution::new, Op.named("click-to-purchase"));
   * }</pre>
   *
   * @param other the other stream
   * @param keyFn this stream's join key
   * @param otherKeyFn the other stream's join key
   * @param window the bounds
   * @param serde how this stream's records are kept in state
   * @param otherSerde how the other stream's records are kept in state
   * @param joiner the result of a pair; a null result emits nothing
   * @param op the join's name (required) and error policy
   * @param <K> key type
   * @param <U> the other stream's type
   * @param <R> result type
   * @return the joined stream
   */
  public <K, U, R> Stream<R> join(Stream<U> other, Function<? super T, ? extends K> keyFn,
      Function<? super U, ? extends K> otherKeyFn, JoinWindow window, Serde<T> serde, Serde<U> otherSerde,
      java.util.function.BiFunction<? super T, ? super U, ? extends R> joiner, Op op) {
    return streamJoin(other, keyFn, otherKeyFn, window, serde, otherSerde, joiner, op, false);
  }

  /**
   * {@link #join(Stream, Function, Function, JoinWindow, Serde, Serde, java.util.function.BiFunction, Op)},
   * left-outer: a record that joined nothing is emitted once with {@code null} when the watermark
   * passes the end of its window.
   *
   * @param other the other stream
   * @param keyFn this stream's join key
   * @param otherKeyFn the other stream's join key
   * @param window the bounds
   * @param serde how this stream's records are kept in state
   * @param otherSerde how the other stream's records are kept in state
   * @param joiner the result of a pair (the other side null when none)
   * @param op the join's name (required) and error policy
   * @param <K> key type
   * @param <U> the other stream's type
   * @param <R> result type
   * @return the joined stream
   */
  public <K, U, R> Stream<R> leftJoin(Stream<U> other, Function<? super T, ? extends K> keyFn,
      Function<? super U, ? extends K> otherKeyFn, JoinWindow window, Serde<T> serde, Serde<U> otherSerde,
      java.util.function.BiFunction<? super T, ? super U, ? extends R> joiner, Op op) {
    return streamJoin(other, keyFn, otherKeyFn, window, serde, otherSerde, joiner, op, true);
  }

  @SuppressWarnings("unchecked")
  private <K, U, R> Stream<R> streamJoin(Stream<U> other, Function<? super T, ? extends K> keyFn,
      Function<? super U, ? extends K> otherKeyFn, JoinWindow window, Serde<T> serde, Serde<U> otherSerde,
      java.util.function.BiFunction<? super T, ? super U, ? extends R> joiner, Op op, boolean outer) {
    Objects.requireNonNull(otherKeyFn, "otherKeyFn");
    return io.nip.pipeline.internal.Ops.join(this, Objects.requireNonNull(keyFn, "keyFn"),
        Objects.requireNonNull(serde, "serde"), Objects.requireNonNull(other, "other"),
        (Function<Object, ? extends K>) otherKeyFn, v -> (U) v, Objects.requireNonNull(otherSerde, "otherSerde"),
        Objects.requireNonNull(window, "window"), 0, outer, joiner, op);
  }

  /**
   * Writes every record to a sink. A stream may be written to several sinks.
   *
   * @param sink the sink
   */
  public void to(Sink<? super T> sink) {
    Objects.requireNonNull(sink, "sink");
    pipeline.graph.add(Node.Kind.SINK, sink.name(), "sink", null, sink, List.of(node), port);
  }
}
