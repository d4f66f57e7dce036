package io.nip.jdbc.transactional.internal;

import io.nip.event.Headers;
import io.nip.jdbc.transactional.DatabaseOperations;
import io.nip.jdbc.transactional.IsolationLevel;
import io.nip.jdbc.transactional.KafkaOperations;
import io.nip.jdbc.transactional.Transaction;
import io.nip.serde.Serde;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * One PostgreSQL transaction of the processor: the user's statements on its connection, the Kafka
 * records it collects, and (when bound to a source position) the position, which it moves first.
 *
 * <p>Design: the position is advanced as the transaction's first statement, so its row lock
 * serializes two transactions of the same event (a zombie and its successor, or a retry racing a
 * lost commit): the second one waits, then finds the position moved and is {@link #alreadyApplied()}
 * (under repeatable read or serializable it fails with 40001 instead, and the caller runs it again).
 * The Kafka records are buffered in memory and written to the outbox right before the commit, which
 * keeps the counter row lock (see {@link TxTables}) as short as possible.
 *
 * <p>States: open, then ended (the handler called {@link #commit()}: no more work, the processor
 * commits when the handler returns), committed, closed. Confined to one thread.
 */
public final class EventTransaction implements Transaction, DatabaseOperations, KafkaOperations {
  private enum State { OPEN, ENDED, COMMITTED, CLOSED }

  private final OutboxStore store;
  private final Connection connection;
  private final int previousIsolation;
  private final boolean inHandler;
  private final LongConsumer onCommit;
  private final List<OutboxRecord> records = new ArrayList<>();
  private boolean applied;
  private State state = State.OPEN;

  private EventTransaction(OutboxStore store, Connection connection, int previousIsolation, boolean inHandler,
      LongConsumer onCommit) {
    this.store = store;
    this.connection = connection;
    this.previousIsolation = previousIsolation;
    this.inHandler = inHandler;
    this.onCommit = onCommit;
  }

  /**
   * Opens a transaction, moving the source position first when one is given.
   *
   * @param store the processor's tables
   * @param isolation the transaction's isolation
   * @param topic the source topic, or null for a transaction without a position
   * @param partition the source partition
   * @param offset the source offset
   * @param inHandler whether a handler runs it ({@link #commit()} then only ends the block)
   * @param onCommit told the last outbox sequence number after a commit that wrote records
   * @return the open transaction
   * @throws SQLException when the database failed (the connection is given back)
   */
  public static EventTransaction begin(OutboxStore store, IsolationLevel isolation, String topic, int partition,
      long offset, boolean inHandler, LongConsumer onCommit) throws SQLException {
    Connection c = store.connection();
    try {
      int previous = c.getTransactionIsolation();
      c.setTransactionIsolation(isolation.jdbcLevel());
      c.setAutoCommit(false);
      EventTransaction tx = new EventTransaction(store, c, previous, inHandler, onCommit);
      if (topic != null) {
        try {
          tx.applied = !store.advancePosition(c, topic, partition, offset);
        } catch (SQLException e) {
          tx.close();
          throw e;
        }
      }
      return tx;
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public boolean alreadyApplied() {
    return applied;
  }

  @Override
  public DatabaseOperations database() {
    requireWorkable();
    return this;
  }

  @Override
  public KafkaOperations kafka() {
    requireWorkable();
    return this;
  }

  private void requireWorkable() {
    if (state != State.OPEN) {
      throw new IllegalStateException("the transaction is " + state.name().toLowerCase(java.util.Locale.ROOT)
          + ": no more statements or records");
    }
    if (applied) {
      throw new IllegalStateException("the transaction's source position was applied before"
          + " (alreadyApplied()): its effects are in place, do nothing");
    }
  }

  @Override
  public void commit() throws SQLException {
    if (state == State.COMMITTED || state == State.CLOSED || (state == State.ENDED && inHandler)) {
      throw new IllegalStateException("the transaction is already " + state.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (inHandler) {
      state = State.ENDED;
      return;
    }
    commitNow();
  }

  /**
   * Writes the outbox rows and commits. Nothing is written when {@link #alreadyApplied()}.
   *
   * @throws SQLException when the commit failed
   */
  public void commitNow() throws SQLException {
    if (state == State.COMMITTED || state == State.CLOSED) {
      throw new IllegalStateException("the transaction is already " + state.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (applied) {
      connection.rollback();
      state = State.COMMITTED;
      return;
    }
    if (connection.getAutoCommit()) {
      throw new IllegalStateException("the transaction's connection was switched to auto-commit by the handler:"
          + " its statements may have been committed on their own; leave commit and auto-commit to the transaction");
    }
    long last = store.writeOutbox(connection, records);
    connection.commit();
    state = State.COMMITTED;
    if (last > 0) {
      onCommit.accept(last);
    }
  }

  /** @return how many Kafka records this transaction holds */
  public int recordCount() {
    return records.size();
  }

  @Override
  public void close() {
    if (state == State.CLOSED) {
      return;
    }
    try {
      if (state != State.COMMITTED) {
        connection.rollback();
      }
      connection.setAutoCommit(true);
      connection.setTransactionIsolation(previousIsolation);
    } catch (SQLException ignored) {
      // a broken connection: closing it below discards the transaction, and the pool evicts it
    } finally {
      state = State.CLOSED;
      try {
        connection.close();
      } catch (SQLException ignored) {
        // nothing left to give back
      }
    }
  }

  @Override
  public int update(String sql, Object... parameters) throws SQLException {
    requireWorkable();
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      bind(s, parameters);
      return s.executeUpdate();
    }
  }

  @Override
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters) throws SQLException {
    requireWorkable();
    Objects.requireNonNull(mapper, "mapper");
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      bind(s, parameters);
      List<T> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(mapper.map(rs));
        }
      }
      return rows;
    }
  }

  private static void bind(PreparedStatement s, Object[] parameters) throws SQLException {
    if (parameters == null) {
      return;
    }
    for (int i = 0; i < parameters.length; i++) {
      s.setObject(i + 1, parameters[i]);
    }
  }

  @Override
  public Connection connection() {
    requireWorkable();
    return connection;
  }

  @Override
  public void emit(String topic, String key, String value) {
    emit(topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8), Headers.EMPTY);
  }

  @Override
  public <T> void emit(String topic, String key, T value, Serde<T> serde) {
    Objects.requireNonNull(serde, "serde");
    emit(topic, key, value == null ? null : serde.serialize(value), Headers.EMPTY);
  }

  @Override
  public void emit(String topic, String key, byte[] value, Headers headers) {
    requireWorkable();
    Objects.requireNonNull(topic, "topic");
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    records.add(new OutboxRecord(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.clone(), headers));
  }

  /**
   * Adds a record from the processor itself (a dead letter), bypassing the open check.
   *
   * @param record the record
   */
  public void emitInternal(OutboxRecord record) {
    records.add(record);
  }
}
