package io.nip.jdbc.transactional;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The database side of a {@link Transaction}: statements on the transaction's own PostgreSQL
 * connection, committed together with the transaction's Kafka records and source position.
 *
 * <pre>{@code
 * tx.database().update("INSERT INTO results (id, total) VALUES (?, ?)", id, total);
 * List<Long> ids = tx.database().query("SELECT id FROM results WHERE total > ?", rs -> rs.getLong(1), 100);
 * }</pre>
 *
 * <p>Parameters are bound with {@link java.sql.PreparedStatement#setObject(int, Object)} in order
 * ({@code String}, numbers, {@code byte[]}, {@code java.time} types, null ...). Use it on the thread
 * that runs the handler (or holds the explicit transaction) only.
 */
public interface DatabaseOperations {

  /**
   * Maps the current row of a result set.
   *
   * @param <T> the row type
   */
  @FunctionalInterface
  interface RowMapper<T> {
    /**
     * @param row the result set, positioned on a row
     * @return the value of that row
     * @throws SQLException when a column cannot be read
     */
    T map(ResultSet row) throws SQLException;
  }

  /**
   * Runs an INSERT, UPDATE, DELETE or DDL statement.
   *
   * @param sql the statement with {@code ?} placeholders
   * @param parameters the values of the placeholders, in order
   * @return the number of rows changed
   * @throws SQLException when PostgreSQL refuses it (the whole transaction then rolls back)
   */
  int update(String sql, Object... parameters) throws SQLException;

  /**
   * Runs a query.
   *
   * @param sql the query with {@code ?} placeholders
   * @param mapper maps each row
   * @param parameters the values of the placeholders, in order
   * @param <T> the row type
   * @return the rows, in the order PostgreSQL returned them
   * @throws SQLException when PostgreSQL refuses it
   */
  <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters) throws SQLException;

  /**
   * The transaction's connection, for anything beyond {@link #update} and {@link #query} (batches,
   * COPY, a JDBC library). Do not commit, roll back, change its auto-commit mode or close it: the
   * transaction does that, and fails when it finds auto-commit switched on.
   *
   * @return the connection, in a transaction (auto-commit off)
   */
  Connection connection();
}
