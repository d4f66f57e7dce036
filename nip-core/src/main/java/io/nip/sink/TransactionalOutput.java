package io.nip.sink;

/**
 * The output of a task under {@link io.nip.pipeline.Guarantee#EXACTLY_ONCE}: a sink that can write
 * inside the pipeline's atomic checkpoint commit hands each record here instead of writing it, and
 * the committer (the pipeline's state changelog, e.g. the Kafka source's one transaction per
 * checkpoint) writes the records of every task together with the state changes and the source
 * positions of that checkpoint — all of them, or none. Records handed over after a task's barrier
 * belong to the next checkpoint. A sink finds the output through {@link
 * SinkContext#transactionalOutput()} when it creates a writer, and checks there that the committer
 * is one it can write through (else it throws a {@link io.nip.errors.ConfigurationException}).
 *
 * <pre>{@code
 * public SinkWriter<Order> createWriter(SinkContext ctx) {
 *   TransactionalOutput out = ctx.transactionalOutput();
 *   if (out != null && out.committer() instanceof MyTransactionalChangelog) {
 *     return order -> out.add(toRecord(order), sizeOf(order));   // written at the checkpoint's commit
 *   }
 *   return order -> send(order);                                  // at-least-once
 * }
 * }</pre>
 *
 * <p>Records stay in memory until their checkpoint commits (at most one checkpoint interval plus the
 * commit), also when the committer wrote them ahead into its open transaction (a Kafka changelog
 * does: see {@link io.nip.state.StateChangelog#writeAhead}), so that a commit that fails can write
 * them again; when the records waiting in all tasks exceed 64 MiB a checkpoint is requested at once,
 * and while a commit is still running (a slow or unreachable cluster) the sources read nothing more
 * until it ended, so the output held in memory stays bounded.
 * Used by the task's thread only.
 */
public interface TransactionalOutput {

  /**
   * @return what writes the records: the pipeline's {@link io.nip.state.StateChangelog}; a sink
   *     checks its type and cluster before handing records over
   */
  Object committer();

  /**
   * Hands over one record, to be written with the next checkpoint this task takes part in.
   *
   * @param record a record the committer writes (for Kafka: a {@code ProducerRecord<byte[], byte[]>})
   * @param bytes its approximate size in bytes, for the memory bound
   */
  void add(Object record, long bytes);
}
