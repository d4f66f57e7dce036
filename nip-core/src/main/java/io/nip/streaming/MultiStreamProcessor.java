package io.nip.streaming;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.source.Source;
import io.nip.time.WatermarkStrategy;
import io.nip.window.Aggregate;
import io.nip.window.Window;
import io.nip.window.WindowAggregator;
import io.nip.window.WindowAssigner;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The tutorial's {@code MultiStreamProcessor}: several named sources in one pipeline, a handler per
 * stream, and aggregators across streams that receive, per window, an incremental aggregate of
 * each named stream's events.
 *
 * <pre>{@code
 * MultiStreamProcessor<Event> processor = MultiStreamProcessor.<Event>named("multi_stream_processor")
 *     .handler("user_events", e -> { log.info("User event: {}", e); return e; })
 *     .handler("system_events", e -> e)
 *     .aggregator("aggregate_events", List.of("user_events", "system_events"),
 *         TumblingWindow.of(Duration.ofMinutes(1)), Aggregates.count(),
 *         (counts, window) -> Map.of("user_events", counts.get("user_events"),
 *             "system_events", counts.get("system_events"),
 *             "total", counts.get("user_events") + counts.get("system_events")),
 *         summarySink);
 * PipelineHandle h = processor.start(Map.of("user_events", userSource, "system_events", systemSource,
 *     "metrics", metricsSource));
 * }</pre>
 *
 * <p>Time: each stream keeps its own event-time extractor and watermark ({@link #watermarks}; by
 * default the source's timestamps with {@link #DEFAULT_OUT_OF_ORDERNESS}); an aggregator's windows
 * fire on the combined watermark of its streams (their minimum), so a window closes only when every
 * stream it counts has passed its end. A stream with no handler passes its events unchanged. Each
 * aggregator keeps one accumulator per stream and window (not the events), in the pipeline's state
 * backend; all of an aggregator's windows are in one keyed task. Not thread-safe while being
 * configured.
 *
 * @param <E> the event type of the streams
 */
public final class MultiStreamProcessor<E> {
  /** The default bounded out-of-orderness of each stream's watermarks. */
  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(30);

  private final String name;
  private final Map<String, Function<? super E, ? extends E>> handlers = new LinkedHashMap<>();
  private final Map<String, WatermarkStrategy<E>> watermarks = new LinkedHashMap<>();
  private final List<AggregatorSpec<?, ?>> aggregators = new ArrayList<>();
  private Sink<? super E> handled;

  private MultiStreamProcessor(String name) {
    this.name = name;
  }

  /**
   * @param name the processor's (and its pipeline's) name: letters, digits, '-', '_', '.'
   * @param <E> the event type
   * @return a processor without handlers
   * @throws ConfigurationException when the name is invalid
   */
  public static <E> MultiStreamProcessor<E> named(String name) {
    return new MultiStreamProcessor<>(FacadeNames.check("MultiStreamProcessor name", name));
  }

  /**
   * The tutorial's {@code @processor.handler(stream=...)}.
   *
   * @param stream the source's name in {@link #start}'s map
   * @param handler what each event of that stream becomes (null drops it), e.g. the event itself
   *     after a side effect
   * @return this
   * @throws ConfigurationException when the stream already has a handler
   */
  public MultiStreamProcessor<E> handler(String stream, Function<? super E, ? extends E> handler) {
    FacadeNames.check("stream name", stream);
    if (handlers.putIfAbsent(stream, Objects.requireNonNull(handler, "handler")) != null) {
      throw ConfigurationException.invalid("handler stream", "'" + stream + "'", "already has a handler");
    }
    return this;
  }

  /**
   * @param stream a source's name
   * @param strategy its event-time extractor and watermarks
   * @return this
   */
  public MultiStreamProcessor<E> watermarks(String stream, WatermarkStrategy<E> strategy) {
    watermarks.put(FacadeNames.check("stream name", stream), Objects.requireNonNull(strategy, "strategy"));
    return this;
  }

  /**
   * @param sink where every handled event of every stream goes (optional)
   * @return this
   */
  public MultiStreamProcessor<E> handledEvents(Sink<? super E> sink) {
    this.handled = Objects.requireNonNull(sink, "sink");
    return this;
  }

  /**
   * The tutorial's {@code @processor.aggregator(sources=[...])}: per window, each named stream's
   * handled events aggregated incrementally, then combined.
   *
   * @param aggregatorName the aggregate operator's name
   * @param sources the streams it aggregates (at least one)
   * @param window the windows (tumbling, sliding, session, global)
   * @param perStream the aggregate applied to each stream's events separately (e.g.
   *     {@code Aggregates.count()}); a stream without events in a window gets its empty result
   * @param combine the result of a window from each stream's aggregate (by stream name, in the order
   *     of {@code sources}) and the window's bounds
   * @param sink where the combined results go
   * @param <R> each stream's aggregate result
   * @param <O> combined result
   * @return this
   * @throws ConfigurationException when {@code sources} is empty or names a stream twice
   */
  public <R, O> MultiStreamProcessor<E> aggregator(String aggregatorName, List<String> sources, WindowAssigner window,
      Aggregate<? super E, ?, R> perStream, BiFunction<Map<String, R>, Window, ? extends O> combine,
      Sink<? super O> sink) {
    FacadeNames.check("aggregator name", aggregatorName);
    if (sources.isEmpty() || sources.stream().distinct().count() != sources.size()) {
      throw ConfigurationException.invalid("aggregator sources", sources.toString(),
          "must name at least one stream, each once");
    }
    sources.forEach(s -> FacadeNames.check("stream name", s));
    aggregators.add(new AggregatorSpec<>(aggregatorName, List.copyOf(sources), Objects.requireNonNull(window, "window"),
        Objects.requireNonNull(perStream, "perStream"), Objects.requireNonNull(combine, "combine"),
        Objects.requireNonNull(sink, "sink")));
    return this;
  }

  /**
   * @param sources the named sources (the tutorial's map); every handler's and aggregator's stream
   *     must be among them
   * @param config the pipeline's configuration
   * @return the pipeline, not started
   * @throws ConfigurationException when a handler or aggregator names a stream not in {@code sources}
   */
  public Pipeline pipeline(Map<String, ? extends Source<E>> sources, PipelineConfig config) {
    Objects.requireNonNull(sources, "sources");
    List<String> named = new ArrayList<>(handlers.keySet());
    aggregators.forEach(a -> named.addAll(a.sources));
    for (String s : named) {
      if (!sources.containsKey(s)) {
        throw ConfigurationException.invalid("stream", "'" + s + "'", "is not among the sources " + sources.keySet());
      }
    }
    Pipeline p = Pipeline.named(name, Objects.requireNonNull(config, "config"));
    Map<String, Stream<E>> streams = new LinkedHashMap<>();
    for (Map.Entry<String, ? extends Source<E>> e : sources.entrySet()) {
      String stream = FacadeNames.check("stream name", e.getKey());
      Stream<E> s = p.from(e.getValue(), watermarks.getOrDefault(stream,
          WatermarkStrategy.boundedOutOfOrderness(DEFAULT_OUT_OF_ORDERNESS)));
      Function<? super E, ? extends E> h = handlers.get(stream);
      if (h != null) {
        s = s.flatMap(event -> {
          E r = h.apply(event);
          return r == null ? List.<E>of() : List.of(r);
        }, Op.named(stream + "-handler"));
      }
      if (handled != null) {
        s.to(handled);
      }
      streams.put(stream, s);
    }
    for (AggregatorSpec<?, ?> a : aggregators) {
      a.build(streams);
    }
    return p;
  }

  /**
   * The tutorial's {@code processor.start(sources)}.
   *
   * @param sources the named sources
   * @return the running pipeline
   */
  public PipelineHandle start(Map<String, ? extends Source<E>> sources) {
    return pipeline(sources, PipelineConfig.defaults()).start();
  }

  /** An event with the name of the stream it came from, on its way to an aggregator. */
  record Named<E>(String stream, E event) {}

  private final class AggregatorSpec<R, O> {
    private final String name;
    private final List<String> sources;
    private final WindowAssigner window;
    private final Aggregate<? super E, ?, R> perStream;
    private final BiFunction<Map<String, R>, Window, ? extends O> combine;
    private final Sink<? super O> sink;

    AggregatorSpec(String name, List<String> sources, WindowAssigner window, Aggregate<? super E, ?, R> perStream,
        BiFunction<Map<String, R>, Window, ? extends O> combine, Sink<? super O> sink) {
      this.name = name;
      this.sources = sources;
      this.window = window;
      this.perStream = perStream;
      this.combine = combine;
      this.sink = sink;
    }

    @SuppressWarnings("unchecked")
    void build(Map<String, Stream<E>> streams) {
      Stream<Named<E>> merged = null;
      WindowAggregator<Named<E>, Map<String, Object>> agg = WindowAggregator.create();
      for (String s : sources) {
        Stream<Named<E>> tagged = streams.get(s).map(e -> new Named<>(s, e), Op.named(name + "-" + s));
        merged = merged == null ? tagged : merged.merge(tagged);
        agg = agg.aggregate(s, new OneStream<>(s, (Aggregate<E, Object, R>) perStream));
      }
      Serde<String> keys = Serdes.string();
      String key = name;
      merged.keyBy(n -> key, keys).window(window)
          .aggregate(agg.combined((k, start, end, results) -> (O) combine.apply((Map<String, R>) (Map<String, ?>) results,
              new Window(start, end))), Op.named(name))
          .filter(r -> r.firing() != WindowResult.Firing.EARLY, Op.named(name + "-final"))
          .map(WindowResult::value, Op.named(name + "-result"))
          .to(sink);
    }
  }

  /** An aggregate that sees only the events of one named stream. */
  private static final class OneStream<E, A, R> implements Aggregate<Named<E>, A, R> {
    private final String stream;
    private final Aggregate<E, A, R> inner;

    OneStream(String stream, Aggregate<E, A, R> inner) {
      this.stream = stream;
      this.inner = inner;
    }

    @Override
    public A createAccumulator() {
      return inner.createAccumulator();
    }

    @Override
    public A add(A accumulator, Named<E> value) {
      return value.stream().equals(stream) ? inner.add(accumulator, value.event()) : accumulator;
    }

    @Override
    public A merge(A a, A b) {
      return inner.merge(a, b);
    }

    @Override
    public R result(A accumulator) {
      return inner.result(accumulator);
    }

    @Override
    public Serde<A> accumulatorSerde() {
      return inner.accumulatorSerde();
    }
  }
}
