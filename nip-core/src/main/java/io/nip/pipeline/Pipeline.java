package io.nip.pipeline;

import io.nip.pipeline.internal.Graph;
import io.nip.pipeline.internal.Node;
import io.nip.pipeline.internal.NodeSpec;
import io.nip.pipeline.internal.Ops;
import io.nip.pipeline.internal.PipelineInternals;
import io.nip.source.Source;
import io.nip.time.WatermarkStrategy;
import java.util.List;
import java.util.Objects;

/**
 * A stream-processing job: sources, operators and sinks, built with a fluent DSL and run by the
 * NIP runtime.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.named("clicks");
 * p.from(Sources.jsonLines("in", Path.of("clicks.jsonl"), Click.class))
 *  .filter(c -> !c.userId().startsWith("bot_")).map(Click::page).to(Sinks.stdout("out"));
 * p.start().awaitTermination();
 * }</pre>
 */
public final class Pipeline {
  private final String name;
  private final PipelineConfig config;
  Graph graph = new Graph();
  private boolean started;

  private Pipeline(String name, PipelineConfig config) {
    this.name = name;
    this.config = config;
  }

  /**
   * @param name the pipeline's name; letters, digits, '-', '_', '.'
   * @return a pipeline with the default configuration
   */
  public static Pipeline named(String name) {
    return named(name, PipelineConfig.defaults());
  }

  /**
   * @param name the pipeline's name
   * @param config its configuration
   * @return a new pipeline
   */
  public static Pipeline named(String name, PipelineConfig config) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(config, "config");
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw io.nip.errors.ConfigurationException.invalid("pipeline name", "'" + name + "'",
          "must use letters, digits, '-', '_' or '.'");
    }
    return new Pipeline(name, config);
  }

  /** @return the name */
  public String name() {
    return name;
  }

  /** @return the configuration */
  public PipelineConfig config() {
    return config;
  }

  /**
   * Reads a source with the default watermark strategy: event time from {@code Event.eventTime()}
   * or the source timestamp, bounded by the configured out-of-orderness.
   *
   * @param source the source
   * @param <T> the value type
   * @return the stream of its records
   */
  public <T> Stream<T> from(Source<T> source) {
    return from(source, WatermarkStrategy.boundedOutOfOrderness(config.maxOutOfOrderness()));
  }

  /**
   * Reads a source with a given watermark strategy. Building does no I/O: the source's partitions
   * are discovered when the pipeline starts, and a source that cannot be reached fails
   * {@link #start()} (with a {@code ConnectorException}), not this call.
   *
   * @param source the source
   * @param strategy how event time and watermarks are derived
   * @param <T> the value type
   * @return the stream of its records
   */
  public <T> Stream<T> from(Source<T> source, WatermarkStrategy<T> strategy) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(strategy, "strategy");
    Node n = graph.add(Node.Kind.SOURCE, source.name(), "source", null, new NodeSpec.SourceSpec(source, strategy),
        List.of(), 0);
    return new Stream<>(this, n);
  }

  /**
   * Reads a changelog source (e.g. a compacted Kafka topic) as a versioned table for joins
   * ({@link Stream#join(Table, Function, io.nip.serde.Serde, java.util.function.BiFunction, Op)}):
   * each record sets its key's value from its event time on; a null value deletes the key.
   *
   * <pre>{@code
   * Table<String, Profile> profiles = pipeline.table(profileSource,
   *     WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5)),
   *     ProfileUpdate::userId, ProfileUpdate::profile, Serdes.json(Profile.class), Duration.ofHours(1));
   * }</pre>
   *
   * @param source the updates
   * @param strategy their event time and watermarks
   * @param keyFn the key an update sets; a null key is bad input
   * @param valueFn the value from the update's time on; null deletes the key
   * @param valueSerde how values are kept in state
   * @param retention how long behind the watermark older versions stay readable
   * @param <T> update type
   * @param <K> key type
   * @param <V> value type
   * @return the table
   * @throws io.nip.errors.ConfigurationException when {@code retention} is negative
   */
  public <T, K, V> Table<K, V> table(Source<T> source, WatermarkStrategy<T> strategy,
      java.util.function.Function<? super T, ? extends K> keyFn, java.util.function.Function<? super T, ? extends V> valueFn,
      io.nip.serde.Serde<V> valueSerde, java.time.Duration retention) {
    return Table.from(from(source, strategy), keyFn, valueFn, valueSerde, retention);
  }

  /**
   * Plans the pipeline and starts it on the configured worker threads. Planning discovers every
   * source's partitions (a connector may contact its broker here) and opens one reader per partition.
   *
   * @return the handle to wait for, or stop, the run
   * @throws io.nip.errors.ConnectorException when a source's partitions cannot be discovered (e.g. its
   *     broker is unreachable) or a reader cannot be opened
   * @throws io.nip.errors.ConfigurationException when the pipeline was already started or a source
   *     reports fewer than one partition
   */
  public PipelineHandle start() {
    return PipelineInternals.start(claim(), name, config);
  }

  /** Marks the pipeline as started and freezes its graph. @return the graph */
  private Graph claim() {
    if (started) {
      throw new io.nip.errors.ConfigurationException("pipeline", "'" + name + "' was already started; build a new one");
    }
    started = true;
    graph.freeze();
    return graph;
  }

  static {
    PipelineInternals.register(Pipeline::claim);
  }
}
