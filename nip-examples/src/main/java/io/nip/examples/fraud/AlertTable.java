package io.nip.examples.fraud;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ConnectorException;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Exercise 3's alert table in PostgreSQL, and a sink writing alerts into it idempotently: the
 * primary key is (user_id, pattern, detected_at) and every insert is
 * {@code INSERT ... ON CONFLICT DO NOTHING}, so an alert produced again (a replay after a restart,
 * at-least-once delivery) never gives a second row. Schema ({@link #createTableSql()}):
 *
 * <pre>{@code
 * CREATE TABLE IF NOT EXISTS fraud_alerts (
 *   user_id     TEXT        NOT NULL,
 *   pattern     TEXT        NOT NULL,
 *   detected_at TIMESTAMPTZ NOT NULL,
 *   alert_id    TEXT        NOT NULL,
 *   evidence    JSONB       NOT NULL,
 *   label_fraud BOOLEAN,
 *   stored_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
 *   PRIMARY KEY (user_id, pattern, detected_at))
 * }</pre>
 *
 * <pre>{@code
 * AlertTable table = AlertTable.of(dataSource, "fraud_alerts");
 * table.createIfMissing();
 * alerts.to(table.sink());
 * }</pre>
 *
 * <p>Each alert is one auto-commit insert on a borrowed connection, done when {@code write}
 * returns; alerts are rare, so no batching. A failing statement is a {@link ConnectorException}
 * naming the table, the alert and the SQLState; the pipeline's error policy decides what follows.
 */
public final class AlertTable {
  /** The default table name. */
  public static final String DEFAULT_TABLE = "fraud_alerts";
  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");

  private final DataSource dataSource;
  private final String table;

  private AlertTable(DataSource dataSource, String table) {
    this.dataSource = dataSource;
    this.table = table;
  }

  /**
   * @param dataSource the database
   * @param table a lower-case table name, optionally schema-qualified
   * @return the table
   * @throws ConfigurationException when the name is not a plain lower-case SQL name
   */
  public static AlertTable of(DataSource dataSource, String table) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(table, "table");
    if (!NAME.matcher(table).matches()) {
      throw ConfigurationException.invalid("table", table, "must be a lower-case SQL name, optionally schema-qualified");
    }
    return new AlertTable(dataSource, table);
  }

  /** @return the table's name */
  public String name() {
    return table;
  }

  /** @return the DDL above for this table's name */
  public String createTableSql() {
    return "CREATE TABLE IF NOT EXISTS " + table + " (user_id TEXT NOT NULL, pattern TEXT NOT NULL, "
        + "detected_at TIMESTAMPTZ NOT NULL, alert_id TEXT NOT NULL, evidence JSONB NOT NULL, label_fraud BOOLEAN, "
        + "stored_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (user_id, pattern, detected_at))";
  }

  /** @return the insert: parameters user_id, pattern, detected_at, alert_id, evidence (JSON text), label_fraud */
  public String insertSql() {
    return "INSERT INTO " + table + " (user_id, pattern, detected_at, alert_id, evidence, label_fraud) "
        + "VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (user_id, pattern, detected_at) DO NOTHING";
  }

  /**
   * Creates the table when missing.
   *
   * @throws ConnectorException when the database refuses
   */
  public void createIfMissing() {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute(createTableSql());
    } catch (SQLException e) {
      throw new ConnectorException("cannot create table " + table + " (SQLState " + e.getSQLState() + "): "
          + e.getMessage(), e);
    }
  }

  /**
   * Inserts one alert unless a row with its (user_id, pattern, detected_at) exists.
   *
   * @param a the alert
   * @return true when a row was inserted, false when it was already there
   * @throws ConnectorException when the statement fails
   */
  public boolean insert(FraudAlert a) {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(insertSql())) {
      ps.setString(1, a.userId());
      ps.setString(2, a.pattern());
      ps.setTimestamp(3, Timestamp.from(a.detectedAt()));
      ps.setString(4, a.alertId());
      ps.setString(5, a.evidenceJson());
      if (a.labelFraud() == null) {
        ps.setNull(6, Types.BOOLEAN);
      } else {
        ps.setBoolean(6, a.labelFraud());
      }
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new ConnectorException("cannot insert alert " + a.alertId() + " (" + a.userId() + ", " + a.pattern()
          + ", " + a.detectedAt() + ") into " + table + " (SQLState " + e.getSQLState() + "): " + e.getMessage(), e);
    }
  }

  /** @return a sink inserting each alert with {@link #insert(FraudAlert)}, named {@code alerts-table} */
  public Sink<FraudAlert> sink() {
    return new Sink<>() {
      @Override
      public String name() {
        return "alerts-table";
      }

      @Override
      public SinkWriter<FraudAlert> createWriter(SinkContext context) {
        return new SinkWriter<>() {
          @Override
          public void write(FraudAlert value) {
            insert(value);
          }

          @Override
          public void close() {}
        };
      }
    };
  }
}
