package io.nip.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nip.errors.ConfigurationException;
import io.nip.errors.ConnectorException;
import io.nip.errors.SerializationException;
import io.nip.serde.Serdes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The tutorial's {@code idempotent_operation} for database writes: an upsert keyed by the event id,
 * so that writing the same event twice (a redelivery, a replay after a crash) leaves one row with
 * the latest data instead of two. The statement is the tutorial's, on plain JDBC:
 *
 * <pre>{@code
 * INSERT INTO events (id, data, updated_at) VALUES (?, ?::jsonb, now())
 * ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()
 * }</pre>
 *
 * Use it as an {@code IdempotentProcessor} operation (or any {@code Sinks.forEach}):
 *
 * <pre>{@code
 * IdempotentProcessor.<UserEvent>named("idempotent_processor").idKey(UserEvent::eventId)
 *     .idempotentOperation(IdempotentWrites.upsertJson(dataSource, "events", UserEvent::eventId));
 * }</pre>
 *
 * <p>The table needs a unique {@code id} column (the conflict target), a {@code data} column of
 * type {@code jsonb} and an {@code updated_at} timestamp, e.g. {@link #createTableSql(String)}.
 * Each call borrows a connection from the data source and runs the upsert in auto-commit mode, so
 * it is atomic on its own and safe to call from several threads.
 */
public final class IdempotentWrites {
  private static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");

  private IdempotentWrites() {}

  /**
   * The upsert of the tutorial, for a table name.
   *
   * @param table a lower-case table name, optionally schema-qualified ({@code app.events})
   * @return the statement; parameters: id, data as JSON text
   * @throws ConfigurationException when the name is not a plain lower-case identifier
   */
  public static String upsertSql(String table) {
    return "INSERT INTO " + checkTable(table) + " (id, data, updated_at) VALUES (?, ?::jsonb, now())\n"
        + "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()";
  }

  /**
   * A table fit for {@link #upsertSql(String)}.
   *
   * @param table a lower-case table name, optionally schema-qualified
   * @return {@code CREATE TABLE IF NOT EXISTS <table> (id TEXT PRIMARY KEY, data JSONB NOT NULL,
   *     updated_at TIMESTAMPTZ NOT NULL)}
   */
  public static String createTableSql(String table) {
    return "CREATE TABLE IF NOT EXISTS " + checkTable(table)
        + " (id TEXT PRIMARY KEY, data JSONB NOT NULL, updated_at TIMESTAMPTZ NOT NULL)";
  }

  /**
   * Writes one event: upserts its JSON (the whole event, as Jackson writes it) under its id.
   *
   * @param dataSource where the connection comes from
   * @param table the table, see {@link #upsertSql(String)}
   * @param id the event's id, not null or empty
   * @param event the event
   * @return 1 (the row inserted or updated)
   * @throws IllegalArgumentException when the id is null or empty
   * @throws SerializationException when the event cannot be written as JSON
   * @throws ConnectorException when the database failed (the message names the table and id)
   */
  public static int upsert(DataSource dataSource, String table, String id, Object event) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(event, "event");
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("an idempotent write needs the event's id, got "
          + (id == null ? "null" : "an empty string") + " (table " + table + ")");
    }
    String sql = upsertSql(table);
    String json;
    try {
      json = Serdes.objectMapper().writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new SerializationException("event '" + id + "' cannot be written as JSON for " + table + ": "
          + e.getOriginalMessage(), null, e);
    }
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, id);
      s.setString(2, json);
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new ConnectorException("could not upsert event '" + id + "' into " + table + ": " + e.getMessage()
          + (e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")"), e);
    }
  }

  /**
   * The tutorial's decorated {@code save_to_database}, as an operation to hand to an
   * {@code IdempotentProcessor} or a sink.
   *
   * @param dataSource where connections come from (a pool)
   * @param table the table, see {@link #upsertSql(String)}
   * @param idFn the event's id
   * @param <T> the event type
   * @return an operation that upserts each event it gets
   * @throws ConfigurationException when the table name is invalid
   */
  public static <T> Consumer<T> upsertJson(DataSource dataSource, String table, Function<? super T, String> idFn) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(idFn, "idFn");
    checkTable(table);
    return event -> upsert(dataSource, table, idFn.apply(event), event);
  }

  private static String checkTable(String table) {
    Objects.requireNonNull(table, "table");
    if (!TABLE.matcher(table).matches() || table.length() > 127) {
      throw ConfigurationException.invalid("table", "'" + table + "'",
          "must be a lower-case SQL name (letters, digits, '_'), optionally schema-qualified");
    }
    return table;
  }
}
