package io.nip.jdbc.transactional.internal;

/**
 * Points of the processor's commit protocol where a test may pause (so that a SIGKILL lands exactly
 * there) or inject a failure. Not a public extension point: only tests in the processor's own
 * package can install hooks.
 *
 * <p>Design: the three points are the three gaps of the protocol: an event committed in PostgreSQL
 * but not yet in Kafka; a Kafka transaction holding outbox records whose commit has not happened; a
 * Kafka commit whose outbox rows are not deleted yet. Hooks run on the thread that reaches the
 * point (the source loop or the relay) and may block it.
 */
public interface ProcessorHooks {
  /** No hooks. */
  ProcessorHooks NONE = new ProcessorHooks() {};

  /**
   * After an event's PostgreSQL transaction committed, before the relay has sent its records.
   *
   * @param topic the event's source topic
   * @param partition its partition
   * @param offset its offset
   */
  default void afterDatabaseCommit(String topic, int partition, long offset) {}

  /**
   * After the relay sent outbox records and its position in a Kafka transaction, before the commit.
   *
   * @param firstSeq the first outbox sequence number in the transaction
   * @param lastSeq the last one
   */
  default void beforeKafkaCommit(long firstSeq, long lastSeq) {}

  /**
   * After the relay's Kafka commit, before it deletes the relayed outbox rows.
   *
   * @param lastSeq the last sequence number committed to Kafka
   */
  default void afterKafkaCommit(long lastSeq) {}
}
