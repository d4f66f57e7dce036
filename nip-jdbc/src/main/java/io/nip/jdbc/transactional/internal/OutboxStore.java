package io.nip.jdbc.transactional.internal;

import io.nip.errors.ConnectorException;
import io.nip.jdbc.internal.Redaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * Every statement of one processor on its three tables ({@link TxTables}): table creation, the
 * instance lock, the parts of an event's transaction, and the relay's reads and deletes.
 *
 * <p>Design: the event's statements ({@link #advancePosition}, {@link #writeOutbox}) run on the
 * caller's connection inside the caller's transaction; the others borrow a connection of their own
 * in auto-commit mode. The instance lock is a session-level advisory lock held on a connection that
 * stays borrowed while the processor runs: PostgreSQL releases it when that session ends, also when
 * the process was killed (the server sees the socket close), so a restarted instance gets it at once.
 *
 * <p>Thread-safe: connections are never shared between calls (the lock connection belongs to the
 * caller of {@link #lockInstance}).
 */
public final class OutboxStore {
  private final DataSource dataSource;
  private final TxTables tables;
  private final String processor;
  private final Redaction redaction;

  /**
   * @param dataSource where connections come from
   * @param tables the table names
   * @param processor the processor name, the key of its rows
   * @param redaction removes credentials from messages
   */
  public OutboxStore(DataSource dataSource, TxTables tables, String processor, Redaction redaction) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.tables = Objects.requireNonNull(tables, "tables");
    this.processor = Objects.requireNonNull(processor, "processor");
    this.redaction = Objects.requireNonNull(redaction, "redaction");
  }

  /** @return the table names */
  public TxTables tables() {
    return tables;
  }

  /** @return a connection of the data source */
  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /**
   * Creates the schema and tables unless they exist (under an advisory lock, so that instances
   * starting together do not trip over each other's DDL) and the processor's counter row.
   *
   * @throws ConnectorException when the database is unreachable or refuses
   */
  public void ensureTables() {
    try (Connection c = dataSource.getConnection()) {
      if (!allExist(c)) {
        c.setAutoCommit(false);
        try (PreparedStatement lock = c.prepareStatement(tables.ddlLock()); Statement s = c.createStatement()) {
          lock.setLong(1, tables.ddlLockKey());
          lock.execute();
          for (String ddl : tables.ddl()) {
            s.execute(ddl);
          }
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
      try (PreparedStatement init = c.prepareStatement(tables.initSequence())) {
        init.setString(1, processor);
        init.executeUpdate();
      }
    } catch (SQLException e) {
      throw failure("could not find or create the tables " + tables.positions() + ", " + tables.outbox() + " and "
          + tables.sequences(), e);
    }
  }

  private boolean allExist(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(tables.tablesExist())) {
      rs.next();
      return rs.getString(1) != null && rs.getString(2) != null && rs.getString(3) != null;
    }
  }

  /**
   * Takes the processor's instance lock, waiting up to {@code timeout} for another instance to let
   * go of it.
   *
   * @param timeout how long to wait
   * @return the connection holding the lock; closing it releases the lock
   * @throws ConnectorException when another instance holds it after the timeout, or on a database
   *     failure
   */
  public Connection lockInstance(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Connection c = null;
    try {
      c = dataSource.getConnection();
      while (true) {
        try (PreparedStatement s = c.prepareStatement(tables.tryInstanceLock())) {
          s.setLong(1, tables.instanceLockKey(processor));
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            if (rs.getBoolean(1)) {
              return c;
            }
          }
        }
        if (System.nanoTime() > deadline) {
          c.close();
          throw new ConnectorException("transactional processor '" + processor + "': another instance of it runs"
              + " (it holds the advisory lock " + tables.instanceLockKey(processor) + " on " + tables.outbox()
              + "'s database); waited " + timeout + " (setting lockTimeout)");
        }
        Thread.sleep(100);
      }
    } catch (SQLException e) {
      closeQuietly(c);
      throw failure("could not take the instance lock", e);
    } catch (InterruptedException e) {
      closeQuietly(c);
      Thread.currentThread().interrupt();
      throw new ConnectorException("transactional processor '" + processor + "': interrupted while waiting for"
          + " the instance lock");
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the lock goes with the session anyway
      }
    }
  }

  /**
   * @return per source partition, the next offset to apply, as committed
   * @throws ConnectorException on a database failure
   */
  public Map<TopicPartition, Long> positions() {
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(tables.readPositions())) {
      s.setString(1, processor);
      Map<TopicPartition, Long> positions = new HashMap<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
        }
      }
      return positions;
    } catch (SQLException e) {
      throw failure("could not read the source positions from " + tables.positions(), e);
    }
  }

  /**
   * In the caller's transaction: moves the partition's position to {@code offset + 1} unless it is
   * there or beyond already. The row stays locked until the transaction ends, so two transactions
   * for one event never both pass.
   *
   * @return true when moved (the event is new), false when the event was applied before
   */
  public boolean advancePosition(Connection c, String topic, int partition, long offset) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(tables.advancePosition())) {
      s.setString(1, processor);
      s.setString(2, topic);
      s.setInt(3, partition);
      s.setLong(4, offset + 1);
      s.setLong(5, offset);
      return s.executeUpdate() == 1;
    }
  }

  /**
   * In the caller's transaction, as its last statements: numbers the records with the next
   * sequence numbers (locking the counter until commit) and inserts them into the outbox.
   *
   * @param c the transaction's connection
   * @param records the records, in emit order; nothing happens when empty
   * @return the last sequence number used, or -1 when there were no records
   */
  public long writeOutbox(Connection c, List<OutboxRecord> records) throws SQLException {
    if (records.isEmpty()) {
      return -1;
    }
    long last;
    try (PreparedStatement s = c.prepareStatement(tables.takeSequence())) {
      s.setLong(1, records.size());
      s.setString(2, processor);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no counter row for processor '" + processor + "' in " + tables.sequences()
              + " (was the row deleted while it ran?)", "55000");
        }
        last = rs.getLong(1);
      }
    }
    long seq = last - records.size();
    try (PreparedStatement s = c.prepareStatement(tables.insertOutbox())) {
      for (OutboxRecord r : records) {
        s.setString(1, processor);
        s.setLong(2, ++seq);
        s.setString(3, r.topic());
        s.setBytes(4, r.key());
        s.setBytes(5, r.value());
        s.setBytes(6, HeaderCodec.encode(r.headers()));
        s.addBatch();
      }
      s.executeBatch();
    }
    return last;
  }

  /**
   * @param after the last sequence number relayed
   * @param limit the most rows to return
   * @return the rows after it, in sequence order
   * @throws SQLException on a database failure (the relay retries)
   */
  public List<OutboxRow> readBatch(long after, int limit) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(tables.readOutbox())) {
      s.setString(1, processor);
      s.setLong(2, after);
      s.setInt(3, limit);
      List<OutboxRow> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(new OutboxRow(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4), rs.getBytes(5)));
        }
      }
      return rows;
    }
  }

  /**
   * @return the last sequence number handed out by a committed transaction (0 when none)
   * @throws SQLException on a database failure
   */
  public long lastSequence() throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(tables.lastSequence())) {
      s.setString(1, processor);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /**
   * Deletes the rows up to a sequence number, which Kafka has committed. Idempotent.
   *
   * @param upTo the last relayed sequence number
   * @return the number of rows deleted
   * @throws SQLException on a database failure (harmless: the rows are deleted next time)
   */
  public int deleteRelayed(long upTo) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(tables.deleteRelayed())) {
      s.setString(1, processor);
      s.setLong(2, upTo);
      return s.executeUpdate();
    }
  }

  /**
   * @param what what was being done
   * @param e the failure
   * @return a ConnectorException naming the processor, with the driver's message and SQLState,
   *     without credentials
   */
  public ConnectorException failure(String what, SQLException e) {
    String m = "transactional processor '" + processor + "': " + what + ": " + SqlFailures.describe(e);
    return new ConnectorException(redaction.apply(m), e);
  }
}
