package io.nip.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nip.errors.SerializationException;
import io.nip.jdbc.ConcurrencyConflictException;
import io.nip.jdbc.EventData;
import io.nip.jdbc.EventStoreException;
import io.nip.jdbc.RecordedEvent;
import io.nip.jdbc.Replayed;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The JDBC work of {@code EventStore}: appends, reads, replays and snapshots of one aggregate kind.
 *
 * <p>Design: an append is one transaction that reads the aggregate's committed version, refuses
 * when it is not the expected one, and inserts the events with the following versions in a batch;
 * a concurrent append that committed the same version first makes the insert fail with a unique
 * violation (SQLState 23505), turned into the same conflict after the rollback, with the version
 * read again. Because the check runs against committed rows and the insert against the primary
 * key, the log of an aggregate never has a gap or a repeated version. A replay runs in one
 * REPEATABLE READ, read-only transaction, so the snapshot and the events after it come from one
 * view of the database, and streams the events through a cursor ({@link #FETCH_SIZE} rows at a
 * time) instead of loading them all. Nothing is retried (see {@code EventStore}: an append whose
 * commit answer was lost must not be run again blindly).
 *
 * <p>Thread-safe: connections are never shared between calls; the tables are created once, under
 * an advisory lock so that processes starting at once do not trip over each other's DDL.
 */
public final class EventLog {
  private static final int FETCH_SIZE = 256;
  private static final String UNIQUE_VIOLATION = "23505";
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final EventTables tables;
  private final DataSource dataSource;
  private final Redaction redaction;
  private final String aggregateName;
  private final int retainedSnapshots;
  private final ObjectMapper mapper = Serdes.objectMapper();
  private volatile boolean ready;

  /** One unit of work on a borrowed connection. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * @param tables the table names and statements
   * @param dataSource where connections come from
   * @param redaction what to remove from messages
   * @param aggregateName the aggregate kind every statement is scoped to
   * @param retainedSnapshots snapshots kept per aggregate
   */
  public EventLog(EventTables tables, DataSource dataSource, Redaction redaction, String aggregateName,
      int retainedSnapshots) {
    this.tables = tables;
    this.dataSource = dataSource;
    this.redaction = redaction;
    this.aggregateName = aggregateName;
    this.retainedSnapshots = retainedSnapshots;
  }

  /** Creates the schema, tables and trigger unless they exist; once per instance. */
  public void ensureTables() {
    ensureTables(() -> "event store of " + aggregateName);
  }

  /** @param context what the caller was doing, for the error message */
  private void ensureTables(Supplier<String> context) {
    if (ready) {
      return;
    }
    synchronized (this) {
      if (!ready) {
        transaction(() -> context.get() + ": could not find or create the event store tables " + tables.events()
            + " and " + tables.snapshots(), false, this::createTables);
        ready = true;
      }
    }
  }

  private Void createTables(Connection c) throws SQLException {
    if (tablesExist(c)) {
      return null;
    }
    try (PreparedStatement lock = c.prepareStatement(tables.lock())) {
      lock.setLong(1, tables.ddlLockKey());
      lock.execute();
    }
    if (tablesExist(c)) {
      return null;
    }
    try (Statement s = c.createStatement()) {
      if (tables.createSchema() != null) {
        s.execute(tables.createSchema());
      }
      for (String ddl : tables.ddl()) {
        s.execute(ddl);
      }
    }
    return null;
  }

  private boolean tablesExist(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(tables.tablesExist())) {
      rs.next();
      return rs.getString(1) != null && rs.getString(2) != null;
    }
  }

  /**
   * @param id the aggregate
   * @param expected the version the writer saw
   * @param events at least one, none null
   * @return the new version
   */
  public long append(String id, long expected, List<EventData> events) {
    ensureTables(() -> aggregate(id));
    String[] payloads = new String[events.size()];
    String[] metadata = new String[events.size()];
    for (int i = 0; i < events.size(); i++) {
      payloads[i] = json(id, events.get(i), events.get(i).payload(), "payload");
      metadata[i] = json(id, events.get(i), events.get(i).metadata(), "metadata");
    }
    Supplier<String> what = () -> aggregate(id) + ": could not append " + events.size() + " event(s) after version "
        + expected + " to " + tables.events();
    try {
      return transaction(what, false, c -> {
        long actual = version(c, id);
        if (actual != expected) {
          throw new ConcurrencyConflictException(aggregateName, id, expected, actual);
        }
        try (PreparedStatement s = c.prepareStatement(tables.insertEvent())) {
          for (int i = 0; i < events.size(); i++) {
            s.setString(1, aggregateName);
            s.setString(2, id);
            s.setLong(3, expected + 1 + i);
            s.setString(4, events.get(i).eventType());
            s.setString(5, payloads[i]);
            s.setString(6, metadata[i]);
            s.addBatch();
          }
          s.executeBatch();
        }
        return expected + events.size();
      });
    } catch (EventStoreException e) {
      if (e.getCause() instanceof SQLException s && uniqueViolation(s)) {
        throw new ConcurrencyConflictException(aggregateName, id, expected, currentVersion(id));
      }
      throw e;
    }
  }

  /**
   * @param id the aggregate
   * @return its committed version
   */
  public long currentVersion(String id) {
    ensureTables(() -> aggregate(id));
    return transaction(() -> aggregate(id) + ": could not read the version from " + tables.events(), true,
        c -> version(c, id));
  }

  private long version(Connection c, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(tables.currentVersion())) {
      s.setString(1, aggregateName);
      s.setString(2, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Streams the events with versions in [from, to] to a consumer, in version order.
   *
   * @param id the aggregate
   * @param from the first version
   * @param to the last version
   * @param sink gets each event
   */
  public void read(String id, long from, long to, Consumer<RecordedEvent> sink) {
    ensureTables(() -> aggregate(id));
    transaction(() -> aggregate(id) + ": could not read events from version " + from + " of " + tables.events(), true,
        c -> {
          readEvents(c, id, from, to, sink);
          return null;
        });
  }

  /**
   * @param id the aggregate
   * @param from the first version to apply when no snapshot is used
   * @param to the last version to apply
   * @param initial the state before {@code from}, or before version 1 when no snapshot qualifies
   * @param snapshotSerde the snapshots' serde, or null to use no snapshot
   * @param apply the fold
   * @param <S> the state type
   * @return the state, its version and the snapshot used
   */
  public <S> Replayed<S> replay(String id, long from, long to, S initial, Serde<S> snapshotSerde,
      BiFunction<S, RecordedEvent, S> apply) {
    ensureTables(() -> aggregate(id));
    return transaction(() -> aggregate(id) + ": could not replay from " + tables.events()
        + (snapshotSerde == null ? "" : " and " + tables.snapshots()), true, c -> {
          long start = from;
          long snapshotVersion = 0;
          Object[] state = {initial};
          if (snapshotSerde != null) {
            try (PreparedStatement s = c.prepareStatement(tables.latestSnapshot())) {
              s.setString(1, aggregateName);
              s.setString(2, id);
              s.setLong(3, to);
              try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                  snapshotVersion = rs.getLong(1);
                  state[0] = snapshotSerde.deserialize(rs.getBytes(2));
                  start = snapshotVersion + 1;
                }
              }
            }
          }
          long[] last = {start - 1};
          long[] applied = {0};
          readEvents(c, id, start, to, e -> {
            @SuppressWarnings("unchecked")
            S s = (S) state[0];
            state[0] = apply.apply(s, e);
            last[0] = e.version();
            applied[0]++;
          });
          if (applied[0] == 0 && snapshotVersion == 0) {
            // nothing applied: the state given reflects the versions before the start, which exist
            // only as far as the aggregate goes
            last[0] = Math.min(last[0], version(c, id));
          }
          @SuppressWarnings("unchecked")
          S result = (S) state[0];
          return new Replayed<>(result, last[0], snapshotVersion, applied[0]);
        });
  }

  private void readEvents(Connection c, String id, long from, long to, Consumer<RecordedEvent> sink)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(tables.readEvents())) {
      s.setFetchSize(FETCH_SIZE);
      s.setString(1, aggregateName);
      s.setString(2, id);
      s.setLong(3, from);
      s.setLong(4, to);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          sink.accept(toEvent(id, rs));
        }
      }
    }
  }

  private RecordedEvent toEvent(String id, ResultSet rs) throws SQLException {
    long version = rs.getLong(1);
    String type = rs.getString(2);
    try {
      return new RecordedEvent(aggregateName, id, version, type, mapper.readTree(rs.getString(3)),
          mapper.readValue(rs.getString(4), MAP), rs.getObject(5, OffsetDateTime.class).toInstant());
    } catch (JsonProcessingException e) {
      throw new SerializationException(aggregate(id) + ": event version " + version + " in " + tables.events()
          + " is not readable JSON: " + e.getOriginalMessage(), null, e);
    }
  }

  /**
   * @param id the aggregate
   * @param version the version the state reflects, at least 1
   * @param state the serialized state
   * @throws IllegalArgumentException when the version is beyond the aggregate's current version
   */
  public void saveSnapshot(String id, long version, byte[] state) {
    ensureTables(() -> aggregate(id));
    transaction(() -> aggregate(id) + ": could not save the snapshot of version " + version + " into "
        + tables.snapshots(), false, c -> {
          long current = version(c, id);
          if (version > current) {
            throw new IllegalArgumentException(aggregate(id) + ": a snapshot of version " + version
                + " is beyond the aggregate's current version " + current);
          }
          try (PreparedStatement s = c.prepareStatement(tables.upsertSnapshot())) {
            s.setString(1, aggregateName);
            s.setString(2, id);
            s.setLong(3, version);
            s.setBytes(4, state);
            s.executeUpdate();
          }
          try (PreparedStatement s = c.prepareStatement(tables.pruneSnapshots())) {
            s.setString(1, aggregateName);
            s.setString(2, id);
            s.setString(3, aggregateName);
            s.setString(4, id);
            s.setInt(5, retainedSnapshots);
            s.executeUpdate();
          }
          return null;
        });
  }

  private String json(String id, EventData e, Object value, String part) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException x) {
      throw new SerializationException(aggregate(id) + ": the " + part + " of a '" + e.eventType()
          + "' event cannot be written as JSON: " + x.getOriginalMessage(), null, x);
    }
  }

  private String aggregate(String id) {
    return "aggregate " + aggregateName + " '" + id + "'";
  }

  private static boolean uniqueViolation(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (UNIQUE_VIOLATION.equals(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private <T> T transaction(Supplier<String> what, boolean readOnly, Work<T> work) {
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw failure(what, "no connection", e);
    }
    try (c) {
      c.setAutoCommit(false);
      if (readOnly) {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
      }
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
        restore(c, readOnly);
      }
    } catch (SQLException e) {
      throw failure(what, null, e);
    }
  }

  private static void restore(Connection c, boolean readOnly) {
    try {
      if (readOnly) {
        c.setReadOnly(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // a broken connection: the pool evicts it
    }
  }

  private EventStoreException failure(Supplier<String> what, String stage, SQLException e) {
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
    return new EventStoreException(redaction.apply(m.toString()), e);
  }
}
