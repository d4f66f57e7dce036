package io.nip.jdbc.transactional;

import java.sql.Connection;

/**
 * The isolation of the PostgreSQL transaction that holds one event's database statements, its Kafka
 * records (as outbox rows) and its source position. The Kafka side is fixed: the processor reads
 * its source with Kafka's {@code read_committed} and its output is meant to be read that way too.
 *
 * <pre>{@code
 * TransactionalProcessor.builder("billing", Serdes.string()).isolationLevel(IsolationLevel.SERIALIZABLE)
 * }</pre>
 *
 * <p>Under {@link #REPEATABLE_READ} and {@link #SERIALIZABLE}, PostgreSQL may refuse a commit with a
 * serialization failure (SQLState 40001) or a deadlock (40P01); the processor then runs the event
 * again, without counting it against the retry policy.
 */
public enum IsolationLevel {
  /** PostgreSQL's default: each statement sees what was committed before it began. */
  READ_COMMITTED(Connection.TRANSACTION_READ_COMMITTED),
  /** The whole transaction sees one snapshot; concurrent updates of the same rows fail with 40001. */
  REPEATABLE_READ(Connection.TRANSACTION_REPEATABLE_READ),
  /** As if transactions ran one after the other; conflicts fail with 40001. */
  SERIALIZABLE(Connection.TRANSACTION_SERIALIZABLE);

  private final int jdbcLevel;

  IsolationLevel(int jdbcLevel) {
    this.jdbcLevel = jdbcLevel;
  }

  /** @return the {@link Connection} constant, e.g. {@link Connection#TRANSACTION_READ_COMMITTED} */
  public int jdbcLevel() {
    return jdbcLevel;
  }
}
