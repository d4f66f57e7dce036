package io.nip.jdbc.internal;

import io.nip.errors.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The two tables of the PostgreSQL event store (the event log and the snapshots), their DDL and
 * every statement run on them.
 *
 * <p>Design: one log table shared by every aggregate kind, keyed by (aggregate name, aggregate id,
 * version). The primary key is the concurrency control: two appends that both expect version
 * {@code n} both try to insert version {@code n + 1}, and the second to commit fails with a unique
 * violation, so a version is never written twice and, because an append first checks that the
 * committed maximum equals the expected version, never skipped. The log is append-only, and the
 * database enforces it: a trigger refuses UPDATE, DELETE and TRUNCATE of the log table (a DBA who
 * must erase data drops the trigger knowingly). Snapshots are derived data and may be replaced or
 * pruned.
 *
 * <p>Names are validated here (lower-case SQL identifiers, at most 63 characters) and used unquoted.
 *
 * <p>Immutable and thread-safe.
 */
public final class EventTables {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final Pattern PREFIX = Pattern.compile("([a-z_][a-z0-9_]*)?");
  private static final int MAX_IDENTIFIER = 63;

  private final String schema;
  private final String events;
  private final String snapshots;
  private final String guardFunction;
  private final String guardName;

  /**
   * @param schema the schema, or null for the connection's search path (usually {@code public})
   * @param prefix the table name prefix, possibly empty
   * @throws ConfigurationException when the schema or prefix is not a plain lower-case identifier
   */
  public EventTables(String schema, String prefix) {
    if (schema != null && (!IDENTIFIER.matcher(schema).matches() || schema.length() > MAX_IDENTIFIER)) {
      throw ConfigurationException.invalid("schema", "'" + schema + "'",
          "must be lower-case letters, digits and '_', not starting with a digit, at most 63 characters");
    }
    String p = prefix == null ? "" : prefix;
    if (!PREFIX.matcher(p).matches() || (p + "events_append_only").length() > MAX_IDENTIFIER) {
      throw ConfigurationException.invalid("table prefix", "'" + p + "'",
          "must be lower-case letters, digits and '_', not starting with a digit, at most 45 characters");
    }
    this.schema = schema;
    String qualifier = schema == null ? "" : schema + ".";
    this.events = qualifier + p + "events";
    this.snapshots = qualifier + p + "event_snapshots";
    this.guardName = p + "events_append_only";
    this.guardFunction = qualifier + guardName;
  }

  /** @return the schema, or null when the search path decides */
  public String schema() {
    return schema;
  }

  /** @return the (schema-qualified when a schema is set) name of the event log table */
  public String events() {
    return events;
  }

  /** @return the (schema-qualified when a schema is set) name of the snapshots table */
  public String snapshots() {
    return snapshots;
  }

  /** @return the DDL, in order; every statement is idempotent */
  public List<String> ddl() {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + events + " (\n"
            + "  aggregate_name TEXT        NOT NULL,\n"
            + "  aggregate_id   TEXT        NOT NULL,\n"
            + "  version        BIGINT      NOT NULL CHECK (version > 0),\n"
            + "  event_type     TEXT        NOT NULL,\n"
            + "  payload        JSONB       NOT NULL,\n"
            + "  metadata       JSONB       NOT NULL DEFAULT '{}',\n"
            + "  recorded_at    TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
            + "  PRIMARY KEY (aggregate_name, aggregate_id, version)\n"
            + ")",
        "CREATE TABLE IF NOT EXISTS " + snapshots + " (\n"
            + "  aggregate_name TEXT        NOT NULL,\n"
            + "  aggregate_id   TEXT        NOT NULL,\n"
            + "  version        BIGINT      NOT NULL CHECK (version > 0),\n"
            + "  state          BYTEA       NOT NULL,\n"
            + "  taken_at       TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
            + "  PRIMARY KEY (aggregate_name, aggregate_id, version)\n"
            + ")",
        "CREATE OR REPLACE FUNCTION " + guardFunction + "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            + "BEGIN\n"
            + "  RAISE EXCEPTION 'the event log % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP\n"
            + "    USING ERRCODE = 'restrict_violation';\n"
            + "END $$",
        "DO $$ BEGIN\n"
            + "  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '" + events + "'::regclass\n"
            + "      AND tgname = '" + guardName + "') THEN\n"
            + "    CREATE TRIGGER " + guardName + " BEFORE UPDATE OR DELETE ON " + events + "\n"
            + "      FOR EACH ROW EXECUTE FUNCTION " + guardFunction + "();\n"
            + "    CREATE TRIGGER " + guardName + "_truncate BEFORE TRUNCATE ON " + events + "\n"
            + "      FOR EACH STATEMENT EXECUTE FUNCTION " + guardFunction + "();\n"
            + "  END IF;\n"
            + "END $$");
  }

  /** @return a query giving one row of two nullable text columns: the tables' oids when they exist */
  public String tablesExist() {
    return "SELECT to_regclass('" + events + "')::text, to_regclass('" + snapshots + "')::text";
  }

  /** @return the statement creating the schema, or null when none is set */
  public String createSchema() {
    return schema == null ? null : "CREATE SCHEMA IF NOT EXISTS " + schema;
  }

  /** @return a transaction-scoped advisory lock; parameter: the key */
  public String lock() {
    return "SELECT pg_advisory_xact_lock(?)";
  }

  /** @return a 64-bit advisory lock key for creating these tables */
  public long ddlLockKey() {
    return UUID.nameUUIDFromBytes(("ddl\u0000" + events).getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
  }

  /** @return the aggregate's version (0 when it has no event); parameters: name, id */
  public String currentVersion() {
    return "SELECT coalesce(max(version), 0) FROM " + events + " WHERE aggregate_name = ? AND aggregate_id = ?";
  }

  /**
   * Appends one event. Parameters: name, id, version, type, payload JSON, metadata JSON.
   *
   * @return the statement
   */
  public String insertEvent() {
    return "INSERT INTO " + events + " (aggregate_name, aggregate_id, version, event_type, payload, metadata)\n"
        + "VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb)";
  }

  /**
   * Events of an aggregate in version order. Parameters: name, id, first version, last version.
   *
   * @return the query, with columns version, event_type, payload, metadata, recorded_at
   */
  public String readEvents() {
    return "SELECT version, event_type, payload::text, metadata::text, recorded_at FROM " + events + "\n"
        + "WHERE aggregate_name = ? AND aggregate_id = ? AND version >= ? AND version <= ?\n"
        + "ORDER BY version";
  }

  /**
   * Upserts a snapshot. Parameters: name, id, version, state bytes.
   *
   * @return the statement
   */
  public String upsertSnapshot() {
    return "INSERT INTO " + snapshots + " (aggregate_name, aggregate_id, version, state) VALUES (?, ?, ?, ?)\n"
        + "ON CONFLICT (aggregate_name, aggregate_id, version)\n"
        + "DO UPDATE SET state = EXCLUDED.state, taken_at = now()";
  }

  /**
   * Deletes the aggregate's snapshots beyond the newest ones. Parameters: name, id, name, id, kept.
   *
   * @return the statement
   */
  public String pruneSnapshots() {
    return "DELETE FROM " + snapshots + " WHERE aggregate_name = ? AND aggregate_id = ? AND version NOT IN (\n"
        + "  SELECT version FROM " + snapshots + " WHERE aggregate_name = ? AND aggregate_id = ?\n"
        + "  ORDER BY version DESC LIMIT ?)";
  }

  /**
   * The newest snapshot at or below a version. Parameters: name, id, version.
   *
   * @return the query, with columns version, state
   */
  public String latestSnapshot() {
    return "SELECT version, state FROM " + snapshots + "\n"
        + "WHERE aggregate_name = ? AND aggregate_id = ? AND version <= ?\n"
        + "ORDER BY version DESC LIMIT 1";
  }
}
