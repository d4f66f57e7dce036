package io.nip.jdbc.internal;

import io.nip.state.CheckpointStorage.StorageFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The checkpoint operations of one pipeline on one table set ({@link CheckpointTables}).
 *
 * <p>Design: {@link #write} is a single upsert in auto-commit mode, so task threads writing parts of
 * the same checkpoint never wait for each other beyond their own row. {@link #complete} is one
 * transaction: an advisory lock per (tables, pipeline) serializes completions of the pipeline, the
 * checkpoint must have at least one part, its row is inserted, and completed rows beyond the
 * retention plus older parts of no completed checkpoint are deleted. A crash anywhere before the
 * commit leaves the previous completed checkpoint the latest, with nothing pruned. Readers only see
 * parts of completed checkpoints.
 *
 * <p>The tables are created on first use: when both exist nothing is run (so a role without the
 * CREATE privilege works on tables made beforehand), otherwise the DDL runs in one transaction under
 * an advisory lock, since concurrent {@code CREATE TABLE IF NOT EXISTS} of the same table may fail
 * in PostgreSQL.
 *
 * <p>Thread-safe: any number of threads may call any method; the first use is guarded.
 */
public final class PostgresCheckpoints {
  private final CheckpointTables tables;
  private final JdbcWork jdbc;
  private final String pipeline;
  private final int retained;
  private volatile boolean ready;

  /**
   * @param tables the table set
   * @param jdbc runs the statements
   * @param pipeline the pipeline whose checkpoints these are
   * @param retained completed checkpoints kept, at least 1
   */
  public PostgresCheckpoints(CheckpointTables tables, JdbcWork jdbc, String pipeline, int retained) {
    this.tables = Objects.requireNonNull(tables, "tables");
    this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.retained = retained;
  }

  /** Creates the schema and tables unless they exist; runs once per instance. */
  public void ensureTables() {
    ensureTables(() -> "pipeline '" + pipeline + "'");
  }

  /** @param context what the caller was doing, for the error message */
  private void ensureTables(Supplier<String> context) {
    if (ready) {
      return;
    }
    synchronized (this) {
      if (!ready) {
        jdbc.inTransaction(() -> context.get() + ": could not find or create the checkpoint tables "
            + tables.checkpoints() + " and " + tables.parts(), this::createTables);
        ready = true;
      }
    }
  }

  private Void createTables(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(tables.tablesExist())) {
      rs.next();
      if (rs.getString(1) != null && rs.getString(2) != null) {
        return null;
      }
    }
    try (PreparedStatement lock = c.prepareStatement(tables.lockPipeline())) {
      lock.setLong(1, tables.ddlLockKey());
      lock.execute();
    }
    if (tables.schema() != null) {
      boolean exists;
      try (PreparedStatement q = c.prepareStatement(tables.schemaExists())) {
        q.setString(1, tables.schema());
        try (ResultSet rs = q.executeQuery()) {
          exists = rs.next();
        }
      }
      if (!exists) {
        try (Statement s = c.createStatement()) {
          s.execute(tables.createSchema());
        }
      }
    }
    try (Statement s = c.createStatement()) {
      for (String ddl : tables.ddl()) {
        s.execute(ddl);
      }
    }
    return null;
  }

  private String checkpoint(long checkpointId) {
    return "checkpoint " + checkpointId + " of pipeline '" + pipeline + "'";
  }

  /**
   * @param checkpointId the checkpoint
   * @param taskId the task
   * @param snapshot the bytes
   * @throws StorageFailure when the checkpoint is already completed or the write failed
   */
  public void write(long checkpointId, String taskId, byte[] snapshot) {
    ensureTables(() -> checkpoint(checkpointId) + ", task '" + taskId + "'");
    int updated = jdbc.run(() -> checkpoint(checkpointId) + ": could not write the part of task '" + taskId
        + "' (" + snapshot.length + " bytes) into " + tables.parts(), c -> {
          try (PreparedStatement s = c.prepareStatement(tables.writePart())) {
            s.setString(1, pipeline);
            s.setLong(2, checkpointId);
            s.setString(3, taskId);
            s.setBytes(4, snapshot);
            s.setString(5, pipeline);
            s.setLong(6, checkpointId);
            return s.executeUpdate();
          }
        });
    if (updated == 0) {
      throw new StorageFailure(checkpoint(checkpointId) + ": could not write the part of task '" + taskId
          + "': the checkpoint is already completed in " + tables.checkpoints()
          + " and its parts cannot change (is another instance of the pipeline writing to the same tables?)", null);
    }
  }

  /**
   * @param checkpointId the checkpoint to complete
   * @throws StorageFailure when it has no parts or could not be completed
   */
  public void complete(long checkpointId) {
    ensureTables(() -> checkpoint(checkpointId));
    long parts = jdbc.inTransaction(() -> checkpoint(checkpointId) + ": could not complete it in "
        + tables.checkpoints() + " (nothing was changed)", c -> {
          try (PreparedStatement lock = c.prepareStatement(tables.lockPipeline())) {
            lock.setLong(1, tables.completionLockKey(pipeline));
            lock.execute();
          }
          long count = count(c, checkpointId);
          if (count == 0) {
            return 0L;
          }
          update(c, tables.markCompleted(), pipeline, checkpointId);
          update(c, tables.pruneCompleted(), pipeline, pipeline, retained);
          update(c, tables.pruneParts(), pipeline, checkpointId);
          return count;
        });
    if (parts == 0) {
      throw new StorageFailure(checkpoint(checkpointId) + ": cannot be completed: it has no parts in "
          + tables.parts(), null);
    }
  }

  private long count(Connection c, long checkpointId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(tables.countParts())) {
      s.setString(1, pipeline);
      s.setLong(2, checkpointId);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      s.executeUpdate();
    }
  }

  /**
   * @return the latest completed checkpoint, or empty
   * @throws StorageFailure when it could not be read
   */
  public OptionalLong latestCompleted() {
    ensureTables();
    return jdbc.run(() -> "pipeline '" + pipeline + "': could not read the latest completed checkpoint from "
        + tables.checkpoints(), c -> {
          try (PreparedStatement s = c.prepareStatement(tables.latestCompleted())) {
            s.setString(1, pipeline);
            try (ResultSet rs = s.executeQuery()) {
              rs.next();
              long id = rs.getLong(1);
              return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(id);
            }
          }
        });
  }

  /**
   * @param checkpointId a completed checkpoint
   * @param taskId a task
   * @return the part, or null when the task wrote none or the checkpoint is not completed
   * @throws StorageFailure when it could not be read
   */
  public byte[] read(long checkpointId, String taskId) {
    ensureTables(() -> checkpoint(checkpointId) + ", task '" + taskId + "'");
    return jdbc.run(() -> checkpoint(checkpointId) + ": could not read the part of task '" + taskId + "' from "
        + tables.parts(), c -> {
          try (PreparedStatement s = c.prepareStatement(tables.readPart())) {
            s.setString(1, pipeline);
            s.setLong(2, checkpointId);
            s.setString(3, taskId);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? rs.getBytes(1) : null;
            }
          }
        });
  }
}
