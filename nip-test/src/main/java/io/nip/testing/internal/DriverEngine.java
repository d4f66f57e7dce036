package io.nip.testing.internal;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.internal.Graph;
import io.nip.pipeline.internal.Node;
import io.nip.pipeline.internal.NodeSpec;
import io.nip.pipeline.internal.Ops;
import io.nip.pipeline.internal.PipelineInternals;
import io.nip.runtime.internal.Plan;
import io.nip.runtime.internal.SyncRunner;
import io.nip.sink.Sink;
import io.nip.source.Source;
import io.nip.state.CheckpointStorage;
import io.nip.time.ManualClock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The machinery behind {@code PipelineTestDriver}: plans a pipeline with its sources replaced by
 * the driver's inputs and every sink bound to a capturing wrapper, and runs it on the caller's
 * thread with {@link SyncRunner}.
 *
 * <p>Restoring mode: the plan takes checkpoints into an {@link InMemoryCheckpointStorage};
 * {@link #checkpointAndRestore()} takes one, closes every task and plans the same graph again,
 * restored from the snapshot bytes. Sink captures live outside the plan, so outputs accumulate
 * across restores; inputs replay from the positions the checkpoint recorded.
 *
 * <p>Threading: single-threaded, like the driver.
 */
public final class DriverEngine {
  private final SinkCapture capture = new SinkCapture();
  private final List<Source<?>> sources = new ArrayList<>();
  private final List<Sink<?>> sinks = new ArrayList<>();
  private final Graph graph;
  private final String name;
  private final PipelineConfig config;
  private final ManualClock clock;
  private final Map<Source<?>, Source<?>> replacements = new IdentityHashMap<>();
  private final CheckpointStorage storage;
  private final boolean restoring;
  /** Per task, every store the task's plans created so far. */
  private final Map<String, Map<String, io.nip.state.StoreSpec<?, ?>>> knownStores = new java.util.LinkedHashMap<>();
  private final int parallelism;
  private SyncRunner runner;
  private int restores;

  /**
   * @param pipeline a pipeline not yet started
   * @param clock the virtual clock
   * @param inputFor creates the stand-in of each source
   * @param parallelism keyed tasks per keyed stage
   * @param restoring whether the plan takes checkpoints that {@link #checkpointAndRestore} restores from
   * @param userStorage a checkpoint storage to restore from at start and to write {@link #checkpoint}s
   *     to, or null
   * @param boundEventTime whether the pipeline's {@code maxEventTimeAhead} applies against the
   *     virtual clock (false: no bound)
   */
  public DriverEngine(Pipeline pipeline, ManualClock clock, Function<Source<?>, Source<?>> inputFor,
      int parallelism, boolean restoring, CheckpointStorage userStorage, boolean boundEventTime) {
    this.parallelism = parallelism;
    this.graph = PipelineInternals.claim(pipeline);
    this.name = pipeline.name();
    this.clock = clock;
    PipelineConfig.Builder b = pipeline.config().toBuilder().clock(clock);
    if (!boundEventTime) {
      b.maxEventTimeAhead(java.time.Duration.ofMillis(Long.MAX_VALUE));
    }
    this.config = b.build();
    for (Node n : graph.nodes()) {
      if (n.kind() == Node.Kind.SOURCE) {
        Source<?> original = ((NodeSpec.SourceSpec) n.payload()).source();
        sources.add(original);
        replacements.put(original, inputFor.apply(original));
      } else if (n.kind() == Node.Kind.SINK) {
        sinks.add((Sink<?>) n.payload());
      }
    }
    this.storage = userStorage != null ? userStorage : restoring ? new InMemoryCheckpointStorage() : null;
    this.restoring = restoring;
    this.runner = new SyncRunner(plan(), clock);
  }

  private Plan plan() {
    return storage == null
        ? PipelineInternals.plan(graph, name, config, replacements::get, capture::bind, parallelism, false)
        : PipelineInternals.plan(graph, name, config, replacements::get, capture::bind, parallelism, storage);
  }

  /**
   * Takes a checkpoint, throws every task away and restores a fresh plan from the checkpoint.
   *
   * @throws IllegalStateException when the engine was not created restoring
   */
  public void checkpointAndRestore() {
    if (!restoring) {
      throw new IllegalStateException("the driver does not restore");
    }
    if (runner.allDone()) {
      return;
    }
    runner.checkpointNow();
    mergeSpecs(runner.storeSpecs());
    runner.close();
    runner = new SyncRunner(plan(), clock);
    restores++;
  }

  /**
   * Takes a checkpoint into the storage now.
   *
   * @throws IllegalStateException when the driver has no checkpoint storage
   */
  public void checkpoint() {
    if (runner.allDone()) {
      return;
    }
    if (storage == null) {
      throw new IllegalStateException("the driver has no checkpoint storage: give it one, or use DriverMode.RESTORE_BETWEEN_RECORDS");
    }
    runner.checkpointNow();
  }

  /** @return how many times the tasks were restored from a checkpoint */
  public int restores() {
    return restores;
  }

  /** @return the pipeline's original sources, in graph order */
  public List<Source<?>> sources() {
    return sources;
  }

  /** @return the pipeline's sinks, in graph order */
  public List<Sink<?>> sinks() {
    return sinks;
  }

  /** @return what each sink received */
  public SinkCapture capture() {
    return capture;
  }

  /** Runs every task until no task makes progress. */
  public void runUntilQuiescent() {
    runner.runUntilQuiescent();
  }

  /**
   * @param sourceName the name of a source
   * @param watermark epoch millis; every task of that source moves its watermark to at least this
   */
  public void advanceWatermark(String sourceName, long watermark) {
    runner.advanceWatermark(sourceName, watermark);
  }

  /** @return true when every task ended */
  public boolean allDone() {
    return runner.allDone();
  }

  /**
   * @param operatorName a keyed operator's name
   * @return its stores, name to (key to value), merged over the keyed tasks
   */
  public Map<String, Map<Object, Object>> stores(String operatorName) {
    // a restored task creates a store only when its operator asks for it: create the ones earlier
    // plans had, so they can be inspected (only here, so that the lazy restore path runs otherwise)
    mergeSpecs(runner.storeSpecs());
    runner.createStores(knownStores);
    return runner.stores(operatorName);
  }

  private void mergeSpecs(Map<String, Map<String, io.nip.state.StoreSpec<?, ?>>> specs) {
    specs.forEach((task, s) -> knownStores.computeIfAbsent(task, t -> new java.util.LinkedHashMap<>()).putAll(s));
  }

  /** @return the names of all keyed operators */
  public List<String> keyedOperators() {
    return runner.keyedOperators();
  }

  /** Closes every task of the current plan. */
  public void close() {
    runner.close();
  }
}
