package io.nip.runtime.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Per-operator metrics on one edge of a fused chain: the planner puts a probe in front of every
 * operator it wires behind another (or behind a source), when {@code PipelineConfig.operatorMetrics}
 * is on.
 *
 * <p>Why an edge and not the operator: operators call {@code out.process} directly, so the only place
 * that sees both the records an operator emits and the records its successor receives, without
 * touching every operator class, is the call between them. A probe counts the record once for the
 * upstream node ({@link Meters#out}) and once for the downstream one ({@link Meters#in}); an
 * operator with several inputs (a merge) or outputs (a fan-out, a route) has one probe per edge, all
 * adding to the same two {@link Meters}. One record in {@link #TIME_SAMPLE_EVERY} is timed around the
 * downstream call with {@link System#nanoTime()}: the time of the operator and of the operators fused
 * behind it (as Kafka Streams' processor-node latency, which also includes the nodes a record is
 * forwarded to).
 *
 * <p>Threading: confined to the task thread like every operator; the counters are plain longs read
 * by the registry's thread through function counters (a reading may be a round late, never torn on
 * 64-bit JVMs). Signals pass through untouched.
 */
public final class Probe extends Operator {
  /** One record in this many is timed. */
  static final int TIME_SAMPLE_EVERY = 64;

  private final Operator target;
  private final Meters from;
  private final Meters to;
  private int untilSample = 1;

  /**
   * @param from the upstream node's meters
   * @param to the downstream node's meters
   * @param target the downstream operator
   */
  public Probe(Meters from, Meters to, Operator target) {
    this.from = from;
    this.to = to;
    this.target = target;
  }

  @Override
  public void process(Object value) {
    from.out++;
    to.in++;
    if (--untilSample > 0) {
      target.process(value);
      return;
    }
    untilSample = TIME_SAMPLE_EVERY;
    long start = System.nanoTime();
    target.process(value);
    to.time.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  @Override
  public void watermark(long watermark, int port) {
    target.watermark(watermark, port);
  }

  @Override
  public void barrier(long checkpointId, int port) {
    target.barrier(checkpointId, port);
  }

  @Override
  public void finish(int port) {
    target.finish(port);
  }

  /**
   * Removes the meter a previous plan of the same pipeline registered under these tags (a restart
   * in the same process, a test driver's restore): its counts belong to the operators that are
   * gone, and a function counter registered again would keep reading them.
   */
  static void replaced(MeterRegistry registry, String name, io.micrometer.core.instrument.Tags tags) {
    io.micrometer.core.instrument.Meter old = registry.find(name).tags(tags).meter();
    if (old != null) {
      registry.remove(old);
    }
  }

  /** The records one node of one task received and emitted, and its sampled processing time. */
  public static final class Meters {
    /** Created by the planner, one per node per task. */
    public Meters() {}

    long in;
    long out;
    Timer time;

    /**
     * Registers the node's meters: the processing time when it receives records through a probe,
     * the records it receives and emits when asked to (sources and sinks have meters of their own).
     *
     * @param registry where they go
     * @param pipeline the pipeline's name
     * @param operator the node's name
     * @param task the task's id
     * @param receives true when records reach the node through a probe (it is timed)
     * @param countIn true to publish the records it receives
     * @param countOut true to publish the records it emits
     */
    public void register(MeterRegistry registry, String pipeline, String operator, String task, boolean receives,
        boolean countIn, boolean countOut) {
      io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of("pipeline", pipeline,
          "operator", operator, "task", task);
      if (countIn) {
        replaced(registry, "nip.operator.records.in", tags);
        FunctionCounter.builder("nip.operator.records.in", this, m -> m.in)
            .description("records an operator received")
            .tag("pipeline", pipeline).tag("operator", operator).tag("task", task).register(registry);
      }
      if (receives) {
        time = Timer.builder("nip.operator.processing.time")
            .description("sampled (one record in " + TIME_SAMPLE_EVERY + ") time an operator and the"
                + " operators fused behind it took for a record")
            .tag("pipeline", pipeline).tag("operator", operator).tag("task", task).register(registry);
      }
      if (countOut) {
        replaced(registry, "nip.operator.records.out", tags);
        FunctionCounter.builder("nip.operator.records.out", this, m -> m.out)
            .description("records an operator emitted")
            .tag("pipeline", pipeline).tag("operator", operator).tag("task", task).register(registry);
      }
    }
  }
}
