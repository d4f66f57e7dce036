package io.nip.pipeline;

/**
 * What a pipeline's output promises when the pipeline fails and restarts. State is exact under
 * both: it is restored from the checkpoint its source positions belong to.
 *
 * <pre>{@code
 * PipelineConfig cfg = PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE).build();
 * }</pre>
 */
public enum Guarantee {
  /**
   * Every result reaches the sinks at least once (the default): sinks write as results come and are
   * flushed before a checkpoint commits the source positions; after a failure the records since the
   * last checkpoint are read again, and their results may be written twice.
   */
  AT_LEAST_ONCE,
  /**
   * Every result reaches the sinks exactly once: the sinks' records of a checkpoint, the state changes
   * and the source positions commit in one atomic step (Kafka → Kafka: one Kafka transaction), so a
   * failure never shows a result twice to a reader of committed data ({@code read_committed}).
   * Results become visible when their checkpoint commits, so their latency is bounded by the
   * checkpoint interval ({@link PipelineConfig.Builder#commitInterval}, 100 ms by default under this
   * guarantee). Needs exactly one source whose positions commit together with the output (the Kafka
   * source) and no checkpoint storage; other set-ups are refused when the pipeline starts, with a
   * {@link io.nip.errors.ConfigurationException}. Sinks that write inside that commit (the Kafka sink
   * and dead-letter sink) are exactly-once; other sinks still write at least once, and the pipeline
   * logs a warning naming each when it starts. State behind an in-process {@code keyBy} cannot be
   * rolled back with one partition: when a partition is assigned to the instance again while such
   * state or its results are not committed, the pipeline fails (a restart restores everything).
   */
  EXACTLY_ONCE
}
