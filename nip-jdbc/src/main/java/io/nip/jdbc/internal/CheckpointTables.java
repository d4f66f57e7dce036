package io.nip.jdbc.internal;

import io.nip.errors.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The two tables of the PostgreSQL checkpoint storage, their DDL and every statement run on them.
 *
 * <p>Design: a checkpoint is <em>completed</em> exactly when its row exists in the checkpoints
 * table; task parts live in the parts table keyed by (pipeline, checkpoint id, task id). Completion
 * is therefore one row insert, made atomic with the pruning of old checkpoints by running both in
 * one transaction (lock, count parts, mark, prune); readers join parts with completed rows, so parts of
 * a checkpoint that never completed are invisible. Several pipelines share one table set, every
 * statement being scoped by the pipeline column.
 *
 * <p>Names are validated here (lower-case SQL identifiers, at most 63 characters) and then used
 * unquoted, so PostgreSQL's case folding never makes a name mean two tables.
 *
 * <p>Immutable and thread-safe.
 */
public final class CheckpointTables {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final Pattern PREFIX = Pattern.compile("([a-z_][a-z0-9_]*)?");
  private static final int MAX_IDENTIFIER = 63;

  private final String schema;
  private final String checkpoints;
  private final String parts;

  /**
   * @param schema the schema, or null for the connection's search path (usually {@code public})
   * @param prefix the table name prefix, possibly empty
   * @throws ConfigurationException when the schema or prefix is not a plain lower-case identifier
   */
  public CheckpointTables(String schema, String prefix) {
    if (schema != null && (!IDENTIFIER.matcher(schema).matches() || schema.length() > MAX_IDENTIFIER)) {
      throw ConfigurationException.invalid("schema", "'" + schema + "'",
          "must be lower-case letters, digits and '_', not starting with a digit, at most 63 characters");
    }
    String p = prefix == null ? "" : prefix;
    if (!PREFIX.matcher(p).matches() || (p + "checkpoint_parts").length() > MAX_IDENTIFIER) {
      throw ConfigurationException.invalid("table prefix", "'" + p + "'",
          "must be lower-case letters, digits and '_', not starting with a digit, at most 47 characters");
    }
    this.schema = schema;
    String qualifier = schema == null ? "" : schema + ".";
    this.checkpoints = qualifier + p + "checkpoints";
    this.parts = qualifier + p + "checkpoint_parts";
  }

  /**
   * @param schema a schema or null
   * @param prefix a table prefix or null
   * @throws ConfigurationException when one of them is not a plain lower-case identifier
   */
  public static void validate(String schema, String prefix) {
    new CheckpointTables(schema, prefix);
  }

  /** @return the schema, or null when the search path decides */
  public String schema() {
    return schema;
  }

  /** @return the (schema-qualified when a schema is set) name of the completed-checkpoints table */
  public String checkpoints() {
    return checkpoints;
  }

  /** @return the (schema-qualified when a schema is set) name of the parts table */
  public String parts() {
    return parts;
  }

  /** @return the DDL, in order; every statement is idempotent */
  public List<String> ddl() {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + checkpoints + " (\n"
            + "  pipeline      TEXT        NOT NULL,\n"
            + "  checkpoint_id BIGINT      NOT NULL,\n"
            + "  completed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
            + "  PRIMARY KEY (pipeline, checkpoint_id)\n"
            + ")",
        "CREATE TABLE IF NOT EXISTS " + parts + " (\n"
            + "  pipeline      TEXT        NOT NULL,\n"
            + "  checkpoint_id BIGINT      NOT NULL,\n"
            + "  task_id       TEXT        NOT NULL,\n"
            + "  snapshot      BYTEA       NOT NULL,\n"
            + "  written_at    TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
            + "  PRIMARY KEY (pipeline, checkpoint_id, task_id)\n"
            + ")");
  }

  /** @return a query giving one row of two nullable text columns: the tables' oids when they exist */
  public String tablesExist() {
    return "SELECT to_regclass('" + checkpoints + "')::text, to_regclass('" + parts + "')::text";
  }

  /** @return a query giving one row when the schema exists; parameter: schema name */
  public String schemaExists() {
    return "SELECT 1 FROM pg_namespace WHERE nspname = ?";
  }

  /** @return the statement creating the schema, or null when none is set */
  public String createSchema() {
    return schema == null ? null : "CREATE SCHEMA IF NOT EXISTS " + schema;
  }

  /**
   * Upserts a part unless its checkpoint is already completed (then the update count is 0).
   * Parameters: pipeline, checkpoint id, task id, bytes, pipeline, checkpoint id.
   *
   * @return the statement
   */
  public String writePart() {
    return "INSERT INTO " + parts + " (pipeline, checkpoint_id, task_id, snapshot)\n"
        + "SELECT ?::text, ?::bigint, ?::text, ?::bytea\n"
        + "WHERE NOT EXISTS (SELECT 1 FROM " + checkpoints + " WHERE pipeline = ? AND checkpoint_id = ?)\n"
        + "ON CONFLICT (pipeline, checkpoint_id, task_id)\n"
        + "DO UPDATE SET snapshot = EXCLUDED.snapshot, written_at = now()";
  }

  /** @return the advisory lock that serializes completions of one pipeline; parameter: the key */
  public String lockPipeline() {
    return "SELECT pg_advisory_xact_lock(?)";
  }

  /** @return the number of parts of a checkpoint; parameters: pipeline, checkpoint id */
  public String countParts() {
    return "SELECT count(*) FROM " + parts + " WHERE pipeline = ? AND checkpoint_id = ?";
  }

  /** @return marks a checkpoint completed, idempotently; parameters: pipeline, checkpoint id */
  public String markCompleted() {
    return "INSERT INTO " + checkpoints + " (pipeline, checkpoint_id) VALUES (?, ?)\n"
        + "ON CONFLICT (pipeline, checkpoint_id) DO NOTHING";
  }

  /**
   * Deletes the completed rows beyond the retention. Parameters: pipeline, pipeline, retained.
   *
   * @return the statement
   */
  public String pruneCompleted() {
    return "DELETE FROM " + checkpoints + " WHERE pipeline = ? AND checkpoint_id NOT IN (\n"
        + "  SELECT checkpoint_id FROM " + checkpoints + " WHERE pipeline = ?\n"
        + "  ORDER BY checkpoint_id DESC LIMIT ?)";
  }

  /**
   * Deletes the parts older than a checkpoint that belong to no completed checkpoint: those of
   * pruned checkpoints and of checkpoints that never completed. Parameters: pipeline, checkpoint id.
   *
   * @return the statement
   */
  public String pruneParts() {
    return "DELETE FROM " + parts + " p WHERE p.pipeline = ? AND p.checkpoint_id < ?\n"
        + "AND NOT EXISTS (SELECT 1 FROM " + checkpoints + " c\n"
        + "  WHERE c.pipeline = p.pipeline AND c.checkpoint_id = p.checkpoint_id)";
  }

  /** @return the latest completed checkpoint id or SQL NULL; parameter: pipeline */
  public String latestCompleted() {
    return "SELECT max(checkpoint_id) FROM " + checkpoints + " WHERE pipeline = ?";
  }

  /** @return a completed checkpoint's part; parameters: pipeline, checkpoint id, task id */
  public String readPart() {
    return "SELECT p.snapshot FROM " + parts + " p JOIN " + checkpoints + " c\n"
        + "  ON c.pipeline = p.pipeline AND c.checkpoint_id = p.checkpoint_id\n"
        + "WHERE p.pipeline = ? AND p.checkpoint_id = ? AND p.task_id = ?";
  }

  /**
   * @param pipeline a pipeline name
   * @return a 64-bit advisory lock key for completions of that pipeline in these tables
   */
  public long completionLockKey(String pipeline) {
    return lockKey(checkpoints + '\u0000' + pipeline);
  }

  /** @return a 64-bit advisory lock key for creating these tables */
  public long ddlLockKey() {
    return lockKey("ddl\u0000" + checkpoints);
  }

  private static long lockKey(String s) {
    return UUID.nameUUIDFromBytes(s.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
  }
}
