package io.nip.jdbc.internal;

import io.nip.state.CheckpointStorage.StorageFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Runs units of JDBC work for the checkpoint storage: borrows a connection from the data source,
 * runs the work (alone, or in one transaction), and turns an {@link SQLException} into a {@link
 * StorageFailure} whose message says what was being done (the checkpoint, the task, the table),
 * then the driver's message and SQLState, with credentials removed by {@link Redaction}.
 *
 * <p>Retry: when a connection breaks while in use (SQLState class 08, or 57P01–57P03: the server
 * terminated the session, is shutting down or starting) the work runs again on a fresh connection,
 * {@link #MAX_ATTEMPTS} times in all, after 50 ms then 100 ms. This is safe because every unit of
 * work of the storage is idempotent (upserts; a completion that inserts with {@code ON CONFLICT DO
 * NOTHING} and prunes), so running it again after a failure of unknown outcome (a commit whose
 * answer was lost) gives the same result. A failure to borrow a connection is not retried: the pool
 * already waited its connection timeout.
 *
 * <p>Thread-safe: connections are never shared between calls.
 */
public final class JdbcWork {
  /** Attempts per unit of work, the first included. */
  public static final int MAX_ATTEMPTS = 3;
  private final DataSource dataSource;
  private final Redaction redaction;

  /** One unit of work on a borrowed connection. */
  @FunctionalInterface
  public interface Work<T> {
    /**
     * @param connection a connection, in auto-commit mode unless run in a transaction
     * @return the result
     * @throws SQLException any failure
     */
    T run(Connection connection) throws SQLException;
  }

  /**
   * @param dataSource where connections come from
   * @param redaction what to remove from messages
   */
  public JdbcWork(DataSource dataSource, Redaction redaction) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.redaction = Objects.requireNonNull(redaction, "redaction");
  }

  /**
   * @param what describes the work for an error message, e.g. "checkpoint 7 of pipeline 'p': could
   *     not write ..."
   * @param work the work, run in auto-commit mode
   * @param <T> the result type
   * @return the work's result
   * @throws StorageFailure when it failed
   */
  public <T> T run(Supplier<String> what, Work<T> work) {
    return attempt(what, work, false);
  }

  /**
   * @param what describes the work for an error message
   * @param work the work, run in one transaction committed at its end (rolled back on failure)
   * @param <T> the result type
   * @return the work's result
   * @throws StorageFailure when it failed; nothing of it was committed unless only the answer to
   *     the commit was lost
   */
  public <T> T inTransaction(Supplier<String> what, Work<T> work) {
    return attempt(what, work, true);
  }

  private <T> T attempt(Supplier<String> what, Work<T> work, boolean transaction) {
    for (int attempt = 1; ; attempt++) {
      Connection c;
      try {
        c = dataSource.getConnection();
      } catch (SQLException e) {
        throw failure(what, "no connection", e);
      }
      try (c) {
        return transaction ? runInTransaction(c, work) : work.run(c);
      } catch (SQLException e) {
        if (attempt >= MAX_ATTEMPTS || !brokenConnection(e)) {
          throw failure(what, null, e);
        }
      }
      pause(50L << (attempt - 1));
    }
  }

  private static <T> T runInTransaction(Connection c, Work<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (SQLException ignored) {
        // a broken connection: the pool evicts it
      }
    }
  }

  /**
   * @param e a failure
   * @return whether the connection broke (rather than the statement failing on a healthy one)
   */
  static boolean brokenConnection(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
          return true;
        }
      }
    }
    return false;
  }

  private StorageFailure failure(Supplier<String> what, String stage, SQLException e) {
    StringBuilder m = new StringBuilder(what.get()).append(": ");
    if (stage != null) {
      m.append(stage).append(": ");
    }
    m.append(e.getMessage());
    if (e.getSQLState() != null) {
      m.append(" (SQLState ").append(e.getSQLState()).append(')');
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e && root.getMessage() != null && !m.toString().contains(root.getMessage())) {
      m.append("; cause: ").append(root.getMessage());
    }
    return new StorageFailure(redaction.apply(m.toString()), e);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
