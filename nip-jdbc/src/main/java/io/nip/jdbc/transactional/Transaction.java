package io.nip.jdbc.transactional;

import java.sql.SQLException;

/**
 * One atomic unit of a {@link TransactionalProcessor}: database statements, Kafka records and (for
 * a transaction bound to a source position) that position, committed together in one PostgreSQL
 * transaction, or not at all. The Kafka records reach Kafka afterwards through the processor's
 * relay, exactly once each.
 *
 * <pre>{@code
 * try (Transaction tx = processor.transaction("orders", 0, 42L)) {
 *   if (!tx.alreadyApplied()) {
 *     tx.database().update("INSERT INTO results VALUES (?, ?)", id, result);
 *     tx.kafka().emit("results", id, result);
 *     tx.commit();
 *   }
 * }
 * }</pre>
 *
 * <p>Closing a transaction that was not committed rolls it back. A transaction belongs to the thread
 * that opened it (or runs the handler).
 */
public interface Transaction extends AutoCloseable {

  /**
   * @return true when this transaction is bound to a source position that an earlier committed
   *     transaction already covered: its effects are in place, so do nothing ({@link #database()}
   *     and {@link #kafka()} then throw, {@link #commit()} only ends it); false otherwise
   */
  boolean alreadyApplied();

  /**
   * @return the database statements of this transaction
   * @throws IllegalStateException when committed, closed or {@link #alreadyApplied()}
   */
  DatabaseOperations database();

  /**
   * @return the Kafka records of this transaction
   * @throws IllegalStateException when committed, closed or {@link #alreadyApplied()}
   */
  KafkaOperations kafka();

  /**
   * Commits the statements, the Kafka records (as outbox rows) and the source position in one
   * PostgreSQL transaction. Inside a {@link TransactionalHandler} it only ends the block: the
   * processor commits when the handler returns (and rolls back if it throws after all).
   *
   * @throws SQLException when the commit failed; then nothing of the transaction took effect, unless
   *     the connection broke during the commit itself (SQLState class 08): then it may have, and a
   *     transaction bound to the same position tells which ({@link #alreadyApplied()})
   * @throws IllegalStateException when already committed or closed
   */
  void commit() throws SQLException;

  /** Rolls back unless committed, and gives the connection back. Idempotent. */
  @Override
  void close();
}
