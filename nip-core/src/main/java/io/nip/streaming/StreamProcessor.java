package io.nip.streaming;

import io.nip.backpressure.BufferManager;
import io.nip.errors.ConfigurationException;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.Op;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The tutorial's filter-and-transform processor: filters and transforms applied in the order they
 * were added, then one or more sinks. It is a recipe for {@link Stream} operators, not an engine of
 * its own: {@link #applyTo} adds one {@code filter} or {@code map} per step and one {@code to} per
 * sink, named {@code <name>.filter-N}, {@code <name>.transform-N} and {@code <name>.sink-N}.
 *
 * <pre>{@code
 * StreamProcessor<UserEvent> p = StreamProcessor.<UserEvent>named("filter_transform")
 *     .filter(e -> e.priority() >= 5).transform(UserEvent::enriched).sink(db::save);
 * PipelineHandle h = p.start(source);
 * }</pre>
 *
 * <p>Not thread-safe while being configured. A processor may be applied to several pipelines, but
 * at most once to each (its operator and sink names must be unique within a pipeline).
 *
 * <p>Records need an event time, as everywhere in NIP: an {@code Event} carries its own, other
 * types take the source's timestamp. For plain values without either, build the stream yourself
 * with {@code pipeline.from(source, WatermarkStrategy.processingTime())} and call {@link #applyTo}.
 *
 * @param <T> the type of the records flowing through
 */
public final class StreamProcessor<T> extends SourceFacade<T> {
  private final List<UnaryOperator<Stream<T>>> steps = new ArrayList<>();
  private final List<Sink<? super T>> sinks = new ArrayList<>();
  private int filters;
  private BufferManager bufferManager;
  private int transforms;

  private StreamProcessor(String name) {
    super(name);
  }

  /**
   * Starts a processor definition.
   *
   * <pre>{@code
   * StreamProcessor<UserEvent> p = StreamProcessor.named("filter_transform");
   * p.filter(e -> e.priority() >= 5).sink(System.out::println);
   * }</pre>
   *
   * @param name the processor's name: letters, digits, '-', '_', '.'; also the name of the pipeline
   *     {@link #start} builds
   * @param <T> the record type
   * @return an empty processor
   */
  public static <T> StreamProcessor<T> named(String name) {
    return new StreamProcessor<>(FacadeNames.check("StreamProcessor name", name));
  }

  /** @return the processor's name */
  public String name() {
    return name;
  }

  /**
   * Keeps only the records for which {@code predicate} holds. Runs after the steps added before it.
   *
   * @param predicate the condition; an exception it throws follows the pipeline's error policy
   * @return this
   */
  public StreamProcessor<T> filter(Predicate<? super T> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    Op op = Op.named(name + ".filter-" + (++filters));
    steps.add(s -> s.filter(predicate, op));
    return this;
  }

  /**
   * Replaces each record by {@code fn(record)}. Runs after the steps added before it.
   *
   * @param fn the transformation; must not return null; an exception it throws follows the
   *     pipeline's error policy
   * @return this
   */
  public StreamProcessor<T> transform(Function<? super T, ? extends T> fn) {
    Objects.requireNonNull(fn, "fn");
    Op op = Op.named(name + ".transform-" + (++transforms));
    steps.add(s -> s.<T>map(fn, op));
    return this;
  }

  /**
   * Adds a sink that receives every record that passed all steps.
   *
   * @param sink the sink; its name must be unique within the pipeline
   * @return this
   */
  public StreamProcessor<T> sink(Sink<? super T> sink) {
    sinks.add(Objects.requireNonNull(sink, "sink"));
    return this;
  }

  /**
   * Adds a callback sink named {@code <name>.sink-N} (see {@link Sinks#forEach}). With several
   * partitions or threads the action is called concurrently and must be thread-safe.
   *
   * @param action called once per record that passed all steps
   * @return this
   */
  public StreamProcessor<T> sink(Consumer<? super T> action) {
    Objects.requireNonNull(action, "action");
    return sink(Sinks.<T>forEach(name + ".sink-" + (sinks.size() + 1), action));
  }

  /**
   * Adds this processor's operators to an existing stream, e.g. one under a
   * {@code PipelineTestDriver}, and writes the result to the sinks added so far.
   *
   * @param input the stream to process
   * @return the processed stream, for further operators
   */
  public Stream<T> applyTo(Stream<T> input) {
    Objects.requireNonNull(input, "input");
    Stream<T> s = input;
    for (UnaryOperator<Stream<T>> step : steps) {
      s = step.apply(s);
    }
    for (Sink<? super T> sink : sinks) {
      s.to(sink);
    }
    return s;
  }

  /**
   * The tutorial's {@code StreamProcessor(name, buffer_manager=...)}: the pipelines this processor
   * builds ({@link #pipeline}, {@link #start}) read their source through this bounded buffer (see
   * {@link BufferManager}); {@link #applyTo} leaves the given stream's pipeline as it is.
   *
   * <pre>{@code
   * StreamProcessor.<UserEvent>named("buffered_processor")
   *     .bufferManager(BufferManager.of(10_000, "drop_oldest")).sink(db::save).start(source);
   * }</pre>
   *
   * @param manager the buffer size per source partition and its overflow strategy
   * @return this
   */
  public StreamProcessor<T> bufferManager(BufferManager manager) {
    this.bufferManager = Objects.requireNonNull(manager, "bufferManager");
    return this;
  }

  @Override
  PipelineConfig configure(PipelineConfig config) {
    return bufferManager == null ? config : config.toBuilder().bufferManager(bufferManager).build();
  }

  @Override
  void build(Stream<T> input) {
    applyTo(input);
  }

  @Override
  void checkComplete() {
    if (sinks.isEmpty()) {
      throw new ConfigurationException("StreamProcessor '" + name + "' sink",
          "no sink was added; call sink(..) before starting");
    }
  }

  @Override
  public String toString() {
    return "StreamProcessor(" + name + ", " + filters + " filters, " + transforms + " transforms, "
        + sinks.size() + " sinks)";
  }
}
