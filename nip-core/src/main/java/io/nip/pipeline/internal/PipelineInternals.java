package io.nip.pipeline.internal;

import io.nip.errors.NipException;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.runtime.internal.Plan;
import io.nip.runtime.internal.Runner;
import io.nip.sink.Sink;
import io.nip.source.Source;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The bridge between the public {@link Pipeline} and the modules that run its graph (the threaded
 * runtime here, the deterministic driver in {@code nip-test}), without a public accessor on the
 * DSL: {@code Pipeline} registers a function that hands over its frozen graph when it is run.
 *
 * <p>Invariant: a pipeline's graph is claimed once; a second run fails with a configuration error.
 */
public final class PipelineInternals {
  private static volatile Function<Pipeline, Graph> claim;

  private PipelineInternals() {}

  /** @param claimFn called by {@link Pipeline} once, from its static initializer */
  public static void register(Function<Pipeline, Graph> claimFn) {
    claim = Objects.requireNonNull(claimFn, "claimFn");
  }

  /**
   * Marks the pipeline as started and returns its frozen graph.
   *
   * @param pipeline a pipeline not yet started
   * @return its graph
   * @throws io.nip.errors.ConfigurationException when it was already started
   */
  public static Graph claim(Pipeline pipeline) {
    Objects.requireNonNull(pipeline, "pipeline");
    Function<Pipeline, Graph> fn = claim;
    if (fn == null) {
      throw new NipException("the Pipeline class did not register with the runtime");
    }
    return fn.apply(pipeline);
  }

  /**
   * Plans a claimed graph.
   *
   * @param graph the graph
   * @param name the pipeline name
   * @param config the configuration
   * @param sources replaces sources (a test driver's inputs); identity otherwise
   * @param sinks replaces sinks when writers are created; identity otherwise
   * @param parallelism tasks per keyed stage
   * @param checkpoints whether tasks take part in periodic checkpoints
   * @return the plan
   */
  public static Plan plan(Graph graph, String name, PipelineConfig config, Function<Source<?>, Source<?>> sources,
      UnaryOperator<Sink<?>> sinks, int parallelism, boolean checkpoints) {
    return new Planner(graph, name, config, sources, sinks, parallelism).plan(checkpoints);
  }

  /**
   * Plans a claimed graph with checkpoints into (and a restore from) the given storage. A graph may
   * be planned again after its previous plan was closed: every plan has its own operator instances.
   *
   * @param graph the graph
   * @param name the pipeline name
   * @param config the configuration
   * @param sources replaces sources; identity otherwise
   * @param sinks replaces sinks when writers are created; identity otherwise
   * @param parallelism tasks per keyed stage
   * @param storage where checkpoints go and are restored from
   * @return the plan
   */
  public static Plan plan(Graph graph, String name, PipelineConfig config, Function<Source<?>, Source<?>> sources,
      UnaryOperator<Sink<?>> sinks, int parallelism, io.nip.state.CheckpointStorage storage) {
    return new Planner(graph, name, config, sources, sinks, parallelism).plan(true, storage);
  }

  /**
   * Plans a claimed graph and runs it on the configured worker threads.
   *
   * @param graph the graph
   * @param name the pipeline name
   * @param config the configuration
   * @return the running pipeline's handle
   */
  public static PipelineHandle start(Graph graph, String name, PipelineConfig config) {
    Runner runner = new Runner(name, config,
        plan(graph, name, config, Function.identity(), UnaryOperator.identity(), config.parallelism(), true));
    runner.start();
    return runner;
  }
}
