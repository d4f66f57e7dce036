package io.nip.jdbc.transactional.internal;

import io.nip.errors.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The three tables of the transactional processor, their DDL and every statement run on them.
 *
 * <p>Design: {@code positions} holds, per processor and source partition, the next source offset
 * to apply; an event's transaction moves it forward with a conditional upsert, so an event already
 * applied (offset below the stored one) changes nothing and is skipped. {@code outbox} holds the
 * Kafka records of committed events until the relay has shipped them, numbered by a gap-free
 * sequence per processor. The sequence is a counter row in {@code sequences}, advanced with an
 * {@code UPDATE} at the very end of the event's transaction: the row lock it takes is held until
 * commit, so sequence numbers become visible in the order they were handed out, and a rolled-back
 * transaction rolls its numbers back too. The relay can therefore read {@code seq > relayed} in order
 * and never skip a row that commits later with a smaller number (a plain PostgreSQL sequence would
 * allow exactly that).
 *
 * <p>Names are validated (lower-case SQL identifiers) and used unquoted. Immutable and thread-safe.
 */
public final class TxTables {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final Pattern PREFIX = Pattern.compile("([a-z_][a-z0-9_]*)?");
  private static final int MAX_IDENTIFIER = 63;

  private final String schema;
  private final String positions;
  private final String outbox;
  private final String sequences;

  /**
   * @param schema the schema, or null for the connection's search path
   * @param prefix the table name prefix, possibly empty
   * @throws ConfigurationException when the schema or prefix is not a plain lower-case identifier
   */
  public TxTables(String schema, String prefix) {
    if (schema != null && (!IDENTIFIER.matcher(schema).matches() || schema.length() > MAX_IDENTIFIER)) {
      throw ConfigurationException.invalid("schema", "'" + schema + "'",
          "must be lower-case letters, digits and '_', not starting with a digit, at most 63 characters");
    }
    String p = prefix == null ? "" : prefix;
    if (!PREFIX.matcher(p).matches() || (p + "positions").length() > MAX_IDENTIFIER) {
      throw ConfigurationException.invalid("table prefix", "'" + p + "'",
          "must be lower-case letters, digits and '_', not starting with a digit, at most 54 characters");
    }
    this.schema = schema;
    String q = schema == null ? "" : schema + ".";
    this.positions = q + p + "positions";
    this.outbox = q + p + "outbox";
    this.sequences = q + p + "sequences";
  }

  /** @return the schema or null */
  public String schema() {
    return schema;
  }

  /** @return the positions table, schema-qualified when a schema is set */
  public String positions() {
    return positions;
  }

  /** @return the outbox table, schema-qualified when a schema is set */
  public String outbox() {
    return outbox;
  }

  /** @return the sequences table, schema-qualified when a schema is set */
  public String sequences() {
    return sequences;
  }

  /** @return the DDL in order, every statement idempotent; the schema's comes first when one is set */
  public List<String> ddl() {
    List<String> tables = List.of(
        "CREATE TABLE IF NOT EXISTS " + positions + " (\n"
            + "  processor       TEXT   NOT NULL,\n"
            + "  topic           TEXT   NOT NULL,\n"
            + "  kafka_partition INT    NOT NULL,\n"
            + "  next_offset     BIGINT NOT NULL,\n"
            + "  PRIMARY KEY (processor, topic, kafka_partition)\n"
            + ")",
        "CREATE TABLE IF NOT EXISTS " + outbox + " (\n"
            + "  processor    TEXT        NOT NULL,\n"
            + "  seq          BIGINT      NOT NULL,\n"
            + "  topic        TEXT        NOT NULL,\n"
            + "  record_key   BYTEA,\n"
            + "  record_value BYTEA,\n"
            + "  headers      BYTEA,\n"
            + "  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
            + "  PRIMARY KEY (processor, seq)\n"
            + ")",
        "CREATE TABLE IF NOT EXISTS " + sequences + " (\n"
            + "  processor TEXT   NOT NULL PRIMARY KEY,\n"
            + "  last_seq  BIGINT NOT NULL\n"
            + ")");
    return schema == null ? tables
        : java.util.stream.Stream.concat(java.util.stream.Stream.of("CREATE SCHEMA IF NOT EXISTS " + schema),
            tables.stream()).toList();
  }

  /** @return one row of three nullable text columns, non-null where the table exists */
  public String tablesExist() {
    return "SELECT to_regclass('" + positions + "')::text, to_regclass('" + outbox + "')::text, to_regclass('"
        + sequences + "')::text";
  }

  /** @return creates the processor's counter row unless it exists; parameter: processor */
  public String initSequence() {
    return "INSERT INTO " + sequences + " (processor, last_seq) VALUES (?, 0) ON CONFLICT (processor) DO NOTHING";
  }

  /**
   * Advances the counter by n and returns the new last number; the row stays locked until commit.
   * Parameters: n, processor.
   *
   * @return the statement
   */
  public String takeSequence() {
    return "UPDATE " + sequences + " SET last_seq = last_seq + ? WHERE processor = ? RETURNING last_seq";
  }

  /** @return the last number handed out (committed); parameter: processor */
  public String lastSequence() {
    return "SELECT last_seq FROM " + sequences + " WHERE processor = ?";
  }

  /**
   * Moves a partition's position past an offset unless it already is: the update count is 0 when
   * the event was applied before. Parameters: processor, topic, partition, next offset, offset.
   *
   * @return the statement
   */
  public String advancePosition() {
    return "INSERT INTO " + positions + " AS p (processor, topic, kafka_partition, next_offset) VALUES (?, ?, ?, ?)\n"
        + "ON CONFLICT (processor, topic, kafka_partition)\n"
        + "DO UPDATE SET next_offset = EXCLUDED.next_offset WHERE p.next_offset <= ?";
  }

  /** @return topic, partition and next offset of every partition of a processor; parameter: processor */
  public String readPositions() {
    return "SELECT topic, kafka_partition, next_offset FROM " + positions + " WHERE processor = ?";
  }

  /** @return inserts an outbox row; parameters: processor, seq, topic, key, value, headers */
  public String insertOutbox() {
    return "INSERT INTO " + outbox + " (processor, seq, topic, record_key, record_value, headers)"
        + " VALUES (?, ?, ?, ?, ?, ?)";
  }

  /** @return the next rows to relay in order; parameters: processor, after seq, limit */
  public String readOutbox() {
    return "SELECT seq, topic, record_key, record_value, headers FROM " + outbox
        + " WHERE processor = ? AND seq > ? ORDER BY seq LIMIT ?";
  }

  /** @return deletes relayed rows; parameters: processor, up to seq (inclusive) */
  public String deleteRelayed() {
    return "DELETE FROM " + outbox + " WHERE processor = ? AND seq <= ?";
  }

  /** @return the session advisory lock of one instance; parameter: key; one boolean row */
  public String tryInstanceLock() {
    return "SELECT pg_try_advisory_lock(?)";
  }

  /**
   * @param processor a processor name
   * @return a 64-bit advisory lock key held by the running instance of that processor
   */
  public long instanceLockKey(String processor) {
    return lockKey("nip-tx\u0000" + outbox + '\u0000' + processor);
  }

  /** @return a 64-bit advisory lock key for creating these tables */
  public long ddlLockKey() {
    return lockKey("nip-tx-ddl\u0000" + outbox);
  }

  /** @return takes the DDL lock for the transaction; parameter: key */
  public String ddlLock() {
    return "SELECT pg_advisory_xact_lock(?)";
  }

  private static long lockKey(String s) {
    return UUID.nameUUIDFromBytes(s.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
  }
}
