package io.nip.testing.internal;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.internal.Graph;
import io.nip.pipeline.internal.Node;
import io.nip.pipeline.internal.Ops;
import io.nip.pipeline.internal.PipelineInternals;
import io.nip.runtime.internal.SyncRunner;
import io.nip.sink.Sink;
import io.nip.source.Source;
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
 * <p>Threading: single-threaded, like the driver.
 */
public final class DriverEngine {
  private final SinkCapture capture = new SinkCapture();
  private final List<Source<?>> sources = new ArrayList<>();
  private final List<Sink<?>> sinks = new ArrayList<>();
  private final SyncRunner runner;

  /**
   * @param pipeline a pipeline not yet started
   * @param clock the virtual clock
   * @param inputFor creates the stand-in of each source
   */
  public DriverEngine(Pipeline pipeline, ManualClock clock, Function<Source<?>, Source<?>> inputFor) {
    Graph graph = PipelineInternals.claim(pipeline);
    PipelineConfig config = pipeline.config().toBuilder().clock(clock).build();
    Map<Source<?>, Source<?>> replacements = new IdentityHashMap<>();
    for (Node n : graph.nodes()) {
      if (n.kind() == Node.Kind.SOURCE) {
        Source<?> original = ((Ops.SourceSpec) n.payload()).source();
        sources.add(original);
        replacements.put(original, inputFor.apply(original));
      } else if (n.kind() == Node.Kind.SINK) {
        sinks.add((Sink<?>) n.payload());
      }
    }
    this.runner = new SyncRunner(
        PipelineInternals.plan(graph, pipeline.name(), config, replacements::get, capture::bind, 1, false), clock);
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
    return runner.stores(operatorName);
  }

  /** @return the names of all keyed operators */
  public List<String> keyedOperators() {
    return runner.keyedOperators();
  }

  /** Commits final positions (like a completed run) and closes every task. */
  public void close() {
    runner.close();
  }
}
