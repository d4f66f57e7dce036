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
   * @param boundEventTime whether the pipeline's {@code maxEventTimeAhead} applies against the
   *     virtual clock (false: no bound)
   */
  public DriverEngine(Pipeline pipeline, ManualClock clock, Function<Source<?>, Source<?>> inputFor,
      boolean boundEventTime) {
    Graph graph = PipelineInternals.claim(pipeline);
    PipelineConfig.Builder b = pipeline.config().toBuilder().clock(clock);
    if (!boundEventTime) {
      b.maxEventTimeAhead(java.time.Duration.ofMillis(Long.MAX_VALUE));
    }
    PipelineConfig config = b.build();
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

  /** @return the runner */
  public SyncRunner runner() {
    return runner;
  }
}
