package io.nip.examples;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import java.util.function.LongSupplier;

/**
 * What the exercises' Kafka jobs share: the built pipeline, its live counts, starting it, and the
 * counts read from the pipeline's meters under exactly-once (where dead letters and late events
 * go only to Kafka, in the job's transactions, and are counted by the engine).
 *
 * <pre>{@code
 * SessionsPipeline job = SessionsPipeline.builder(servers).groupId("g").bounded().build();
 * job.start().awaitTermination();
 * long sessions = job.counters().sessionsOut();
 * }</pre>
 *
 * @param <C> the job's counters
 */
public abstract class KafkaJob<C> {
  private final Pipeline pipeline;
  private final C counters;

  /**
   * @param pipeline the built pipeline
   * @param counters its live counts
   */
  protected KafkaJob(Pipeline pipeline, C counters) {
    this.pipeline = pipeline;
    this.counters = counters;
  }

  /** @return the pipeline, not started */
  public Pipeline pipeline() {
    return pipeline;
  }

  /** @return the live counts of this job */
  public C counters() {
    return counters;
  }

  /** @return the handle of the started pipeline */
  public PipelineHandle start() {
    return pipeline.start();
  }

  /**
   * @param registry the pipeline's meter registry
   * @param pipelineName the pipeline's name
   * @return the records dead-lettered so far ({@code nip.errors}, outcome {@code dead_lettered})
   */
  public static LongSupplier deadLettered(MeterRegistry registry, String pipelineName) {
    return () -> sum(registry.find("nip.errors").tag("pipeline", pipelineName).tag("outcome", "dead_lettered")
        .counters());
  }

  /**
   * @param registry the pipeline's meter registry
   * @param pipelineName the pipeline's name
   * @return the late events so far ({@code nip.window.late.events})
   */
  public static LongSupplier lateEvents(MeterRegistry registry, String pipelineName) {
    return () -> sum(registry.find("nip.window.late.events").tag("pipeline", pipelineName).counters());
  }

  private static long sum(java.util.Collection<Counter> counters) {
    double total = 0;
    for (Counter c : counters) {
      total += c.count();
    }
    return (long) total;
  }
}
