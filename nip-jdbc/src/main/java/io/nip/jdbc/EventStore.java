package io.nip.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nip.errors.ConfigurationException;
import io.nip.errors.SerializationException;
import io.nip.jdbc.internal.EventLog;
import io.nip.jdbc.internal.EventTables;
import io.nip.jdbc.internal.Redaction;
import io.nip.serde.Serde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import javax.sql.DataSource;

/**
 * The tutorial's exactly-once strategy 4, event sourcing: an append-only log of events per
 * aggregate in PostgreSQL, with optimistic versioning, replay to rebuild state, and optional
 * snapshots. One store serves one aggregate kind (its {@link #aggregateName() aggregate name}, the
 * tutorial's {@code aggregate_name="user_session"}); several stores share one table.
 *
 * <pre>{@code
 * try (EventStore store = EventStore.builder("user_session").dataSource(ds).build()) {
 *   long v = store.append("user_0", 0, List.of(EventData.of("login", Map.of("ip", "10.0.0.7"))));
 *   Replayed<Map<String, Object>> session = store.replay("user_0", new HashMap<>(), SessionState::apply);
 * }
 * }</pre>
 *
 * <h2>Versions</h2>
 * An aggregate's version is the number of its events: 0 before the first, then 1, 2, ... with no
 * gap and no repeat. {@link #append(String, long, List)} takes the version the writer last saw;
 * the events get the next versions, all or none in one transaction, when that is still the current
 * version; otherwise nothing is written and a {@link ConcurrencyConflictException} names the
 * aggregate, the expected and the actual version. Two writers racing with the same expected version:
 * exactly one wins (the table's primary key settles it), the other gets the conflict.
 *
 * <h2>Append-only</h2>
 * The store has no update or delete, and the database enforces it: a trigger on the log refuses
 * UPDATE, DELETE and TRUNCATE. Snapshots, being derived, are replaced and pruned (the newest
 * {@link Builder#retainedSnapshots(int) retainedSnapshots} per aggregate are kept).
 *
 * <h2>Errors</h2>
 * Bad arguments (null or empty aggregate id, negative versions, an empty event list) are
 * {@code NullPointerException}s or {@code IllegalArgumentException}s naming the argument and value;
 * database failures are {@link EventStoreException}s naming the operation, aggregate and table,
 * never a password. Nothing is retried: when a connection breaks during an append the outcome is
 * unknown to the caller, who finds out with {@link #currentVersion(String)} (an append retried with
 * the same expected version after a success fails with the conflict, never writes twice).
 *
 * <p>Thread-safe; every call borrows its own connection. Building does no I/O: the first call
 * connects and creates the tables (see the module README for the DDL).
 */
public final class EventStore implements AutoCloseable {
  /** The most characters of an aggregate id. */
  public static final int MAX_AGGREGATE_ID_LENGTH = 512;

  private final String aggregateName;
  private final EventTables tables;
  private final EventLog log;
  private final HikariDataSource ownedPool;
  private final String location;

  private EventStore(Builder b) {
    this.aggregateName = b.aggregateName;
    this.tables = new EventTables(b.schema, b.tablePrefix);
    Redaction redaction = new Redaction(b.jdbcUrl, b.password);
    DataSource ds;
    if (b.dataSource != null) {
      this.ownedPool = null;
      ds = b.dataSource;
      this.location = "data source " + ds.getClass().getSimpleName();
    } else {
      this.ownedPool = pool(b);
      ds = ownedPool;
      this.location = redaction.apply(b.jdbcUrl);
    }
    this.log = new EventLog(tables, ds, redaction, aggregateName, b.retainedSnapshots);
  }

  private static HikariDataSource pool(Builder b) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(b.jdbcUrl);
    if (b.user != null) {
      c.setUsername(b.user);
    }
    if (b.password != null) {
      c.setPassword(b.password);
    }
    c.setPoolName("nip-events-" + b.aggregateName);
    c.setMaximumPoolSize(b.poolSize);
    c.setMinimumIdle(0);
    c.setConnectionTimeout(b.connectionTimeout.toMillis());
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  /**
   * @param aggregateName the kind of aggregate this store holds, e.g. {@code "user_session"}: the key
   *     that separates aggregate kinds sharing the table; not blank, at most 200 characters
   * @return a builder; give it a JDBC URL or a data source
   * @throws ConfigurationException when the name is blank or too long
   */
  public static Builder builder(String aggregateName) {
    return new Builder(aggregateName);
  }

  /** @return the kind of aggregate this store holds */
  public String aggregateName() {
    return aggregateName;
  }

  /** @return the event log table, schema-qualified when a schema was set */
  public String eventsTable() {
    return tables.events();
  }

  /** @return the snapshots table, schema-qualified when a schema was set */
  public String snapshotsTable() {
    return tables.snapshots();
  }

  /** @return e.g. {@code postgres:jdbc:postgresql://db:5432/app/nip_events#user_session}, without credentials */
  public String name() {
    return "postgres:" + location + "/" + tables.events() + "#" + aggregateName;
  }

  /**
   * Creates the schema (when one was set and it is missing), the tables and the append-only
   * trigger unless they exist. Every other method does it on first use; call it to fail early.
   *
   * @throws EventStoreException when the database is unreachable or refuses
   */
  public void createTablesIfMissing() {
    log.ensureTables();
  }

  /**
   * Appends events to an aggregate when its current version is {@code expectedVersion}: they get
   * the versions {@code expectedVersion + 1}, {@code + 2}, ... in list order, all in one transaction.
   *
   * <pre>{@code
   * long v = store.append("user_0", 0, List.of(EventData.of("login", login)));    // a new aggregate: 0
   * v = store.append("user_0", v, List.of(EventData.of("page_viewed", view)));      // then 1, ...
   * }</pre>
   *
   * @param aggregateId the aggregate, not empty, at most {@value #MAX_AGGREGATE_ID_LENGTH} characters
   * @param expectedVersion the version the writer last saw, 0 for a new aggregate; not negative
   * @param events the events, at least one
   * @return the aggregate's new version ({@code expectedVersion + events.size()})
   * @throws ConcurrencyConflictException when the aggregate is not at {@code expectedVersion}
   *     (nothing was written)
   * @throws IllegalArgumentException when an argument is invalid (named in the message)
   * @throws SerializationException when a payload or metadata cannot be written as JSON
   * @throws EventStoreException when the database failed
   */
  public long append(String aggregateId, long expectedVersion, List<EventData> events) {
    checkId(aggregateId);
    if (expectedVersion < 0) {
      throw new IllegalArgumentException("expectedVersion must be 0 (a new aggregate) or more, was " + expectedVersion);
    }
    Objects.requireNonNull(events, "events");
    if (events.isEmpty()) {
      throw new IllegalArgumentException("events must hold at least one event (aggregate '" + aggregateId + "')");
    }
    List<EventData> copy = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      copy.add(Objects.requireNonNull(events.get(i), "events[" + i + "]"));
    }
    return log.append(aggregateId, expectedVersion, copy);
  }

  /**
   * @param aggregateId the aggregate
   * @return its version: the number of its events, 0 when it has none
   * @throws EventStoreException when the database failed
   */
  public long currentVersion(String aggregateId) {
    checkId(aggregateId);
    return log.currentVersion(aggregateId);
  }

  /**
   * The tutorial's {@code get_events(aggregate_id, from_version)}: the aggregate's events with a
   * version of at least {@code fromVersion}, in version order (0 and 1 both mean all of them).
   *
   * @param aggregateId the aggregate
   * @param fromVersion the first version wanted, not negative
   * @return the events, possibly none
   * @throws EventStoreException when the database failed
   */
  public List<RecordedEvent> getEvents(String aggregateId, long fromVersion) {
    checkId(aggregateId);
    checkVersion("fromVersion", fromVersion);
    List<RecordedEvent> out = new ArrayList<>();
    log.read(aggregateId, fromVersion, Long.MAX_VALUE, out::add);
    return out;
  }

  /**
   * The tutorial's {@code @event_store.replay}: folds all of the aggregate's events, in version
   * order, into a state. The events stream from the database (not all in memory at once).
   *
   * <pre>{@code
   * Replayed<Map<String, Object>> s = store.replay("user_0", new HashMap<>(), SessionState::apply);
   * }</pre>
   *
   * @param aggregateId the aggregate
   * @param initialState the state before the first event
   * @param apply gives the state after an event; may change and return the same object
   * @param <S> the state type
   * @return the state and the version it reflects (0 for an aggregate without events)
   * @throws EventStoreException when the database failed; an exception of {@code apply} propagates
   */
  public <S> Replayed<S> replay(String aggregateId, S initialState, BiFunction<S, RecordedEvent, S> apply) {
    return replay(aggregateId, 0, initialState, apply);
  }

  /**
   * Folds the aggregate's events with a version of at least {@code fromVersion} into a state (the
   * tutorial's {@code from_version}): give a state that already reflects the versions before.
   *
   * @param aggregateId the aggregate
   * @param fromVersion the first version applied, not negative
   * @param initialState the state before that version
   * @param apply gives the state after an event
   * @param <S> the state type
   * @return the state and the version it reflects
   * @throws EventStoreException when the database failed; an exception of {@code apply} propagates
   */
  public <S> Replayed<S> replay(String aggregateId, long fromVersion, S initialState,
      BiFunction<S, RecordedEvent, S> apply) {
    checkId(aggregateId);
    checkVersion("fromVersion", fromVersion);
    Objects.requireNonNull(apply, "apply");
    return log.replay(aggregateId, Math.max(fromVersion, 1), Long.MAX_VALUE, initialState, null, apply);
  }

  /**
   * Rebuilds the latest state from the newest snapshot plus the events after it (or from
   * {@code initialState} and every event when there is no snapshot), in one consistent read.
   *
   * @param aggregateId the aggregate
   * @param stateSerde how snapshots of the state were written ({@link #saveSnapshot})
   * @param initialState the state before the first event, used when there is no snapshot
   * @param apply gives the state after an event
   * @param <S> the state type
   * @return the state, its version and the snapshot it started from
   * @throws EventStoreException when the database failed
   */
  public <S> Replayed<S> replayFromSnapshot(String aggregateId, Serde<S> stateSerde, S initialState,
      BiFunction<S, RecordedEvent, S> apply) {
    return replayFromSnapshot(aggregateId, Long.MAX_VALUE, stateSerde, initialState, apply);
  }

  /**
   * Rebuilds the state as of {@code upToVersion}: from the newest snapshot at or below it, then the
   * events after the snapshot up to that version.
   *
   * <pre>{@code
   * Replayed<Session> s = store.replayFromSnapshot("user_0", 500, Serdes.json(Session.class), Session.empty(), Session::apply);
   * }</pre>
   *
   * @param aggregateId the aggregate
   * @param upToVersion the last version applied, at least 1 ({@code Long.MAX_VALUE} for all)
   * @param stateSerde how snapshots of the state were written
   * @param initialState the state before the first event, used when no snapshot qualifies
   * @param apply gives the state after an event
   * @param <S> the state type
   * @return the state, its version and the snapshot it started from
   * @throws EventStoreException when the database failed
   */
  public <S> Replayed<S> replayFromSnapshot(String aggregateId, long upToVersion, Serde<S> stateSerde,
      S initialState, BiFunction<S, RecordedEvent, S> apply) {
    checkId(aggregateId);
    if (upToVersion < 1) {
      throw new IllegalArgumentException("upToVersion must be at least 1, was " + upToVersion);
    }
    Objects.requireNonNull(stateSerde, "stateSerde");
    Objects.requireNonNull(apply, "apply");
    return log.replay(aggregateId, 1, upToVersion, initialState, stateSerde, apply);
  }

  /**
   * Stores a snapshot: the state of the aggregate after the event of {@code version}, written with
   * {@code stateSerde}. A snapshot of the same version replaces the earlier one; older snapshots
   * beyond the retention are deleted in the same transaction.
   *
   * <pre>{@code
   * Replayed<Session> s = store.replayFromSnapshot(id, serde, Session.empty(), Session::apply);
   * store.saveSnapshot(id, s.version(), s.state(), serde);
   * }</pre>
   *
   * @param aggregateId the aggregate
   * @param version the version the state reflects: from 1 to the aggregate's current version
   * @param state the state
   * @param stateSerde how to write it
   * @param <S> the state type
   * @throws IllegalArgumentException when the version is below 1 or beyond the current version
   * @throws EventStoreException when the database failed
   */
  public <S> void saveSnapshot(String aggregateId, long version, S state, Serde<S> stateSerde) {
    checkId(aggregateId);
    if (version < 1) {
      throw new IllegalArgumentException("version of a snapshot must be at least 1, was " + version);
    }
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(stateSerde, "stateSerde");
    log.saveSnapshot(aggregateId, version, stateSerde.serialize(state));
  }

  private static void checkId(String aggregateId) {
    Objects.requireNonNull(aggregateId, "aggregateId");
    if (aggregateId.isEmpty() || aggregateId.length() > MAX_AGGREGATE_ID_LENGTH) {
      throw new IllegalArgumentException("aggregateId must have 1 to " + MAX_AGGREGATE_ID_LENGTH
          + " characters, had " + aggregateId.length());
    }
  }

  private static void checkVersion(String name, long version) {
    if (version < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + version);
    }
  }

  /** Closes the connection pool made from a JDBC URL; a data source handed in stays open. Idempotent. */
  @Override
  public void close() {
    if (ownedPool != null) {
      ownedPool.close();
    }
  }

  /** @return {@link #name()} */
  @Override
  public String toString() {
    return name();
  }

  /**
   * Settings of an {@link EventStore}; validated as they are set and by {@link #build()}, with
   * messages naming the setting and the value.
   */
  public static final class Builder {
    private final String aggregateName;
    private String jdbcUrl;
    private String user;
    private String password;
    private DataSource dataSource;
    private String schema;
    private String tablePrefix = "nip_";
    private int retainedSnapshots = 2;
    private int poolSize = 4;
    private Duration connectionTimeout = Duration.ofSeconds(10);

    private Builder(String aggregateName) {
      Objects.requireNonNull(aggregateName, "aggregateName");
      if (aggregateName.isBlank() || aggregateName.length() > EventData.MAX_TYPE_LENGTH) {
        throw ConfigurationException.invalid("aggregate name", "'" + aggregateName + "'",
            "must be non-blank and at most " + EventData.MAX_TYPE_LENGTH + " characters");
      }
      this.aggregateName = aggregateName;
    }

    /**
     * @param url a PostgreSQL JDBC URL, e.g. {@code jdbc:postgresql://db:5432/app}; the store opens
     *     its own HikariCP pool on it
     * @return this builder
     */
    public Builder jdbcUrl(String url) {
      Objects.requireNonNull(url, "url");
      if (!url.startsWith("jdbc:postgresql:")) {
        throw ConfigurationException.invalid("url", "'" + new Redaction(url, null).apply(url) + "'",
            "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)");
      }
      this.jdbcUrl = url;
      return this;
    }

    /**
     * @param user the database user (with a JDBC URL)
     * @return this builder
     */
    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    /**
     * @param password the password (with a JDBC URL); never shown in names or messages
     * @return this builder
     */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * @param dataSource an existing data source instead of a JDBC URL; the store does not close it
     * @return this builder
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * @param schema the schema holding the tables (created if missing), a lower-case identifier;
     *     default: none, the connection's search path decides (usually {@code public})
     * @return this builder
     */
    public Builder schema(String schema) {
      Objects.requireNonNull(schema, "schema");
      new EventTables(schema, tablePrefix);
      this.schema = schema;
      return this;
    }

    /**
     * @param prefix the prefix of the table names {@code <prefix>events} and {@code
     *     <prefix>event_snapshots}; lower-case letters, digits and '_', possibly empty; default
     *     {@code nip_}
     * @return this builder
     */
    public Builder tablePrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      new EventTables(schema, prefix);
      this.tablePrefix = prefix;
      return this;
    }

    /**
     * @param n how many snapshots are kept per aggregate, the newest ones, at least 1; default 2
     * @return this builder
     */
    public Builder retainedSnapshots(int n) {
      if (n < 1) {
        throw ConfigurationException.invalid("retained snapshots", n, "must be at least 1");
      }
      this.retainedSnapshots = n;
      return this;
    }

    /**
     * @param size the most connections of the pool made from a JDBC URL; default 4
     * @return this builder
     */
    public Builder poolSize(int size) {
      if (size < 1) {
        throw ConfigurationException.invalid("pool size", size, "must be at least 1");
      }
      this.poolSize = size;
      return this;
    }

    /**
     * @param timeout how long a call waits for a connection of the pool made from a JDBC URL; at
     *     least 250 ms; default 10 s
     * @return this builder
     */
    public Builder connectionTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(250)) < 0) {
        throw ConfigurationException.invalid("connection timeout", timeout, "must be at least 250 ms");
      }
      this.connectionTimeout = timeout;
      return this;
    }

    /**
     * Builds the store. Does no I/O: the first call connects and creates the tables.
     *
     * @return the store
     * @throws ConfigurationException when neither or both of a JDBC URL and a data source were given
     */
    public EventStore build() {
      if ((jdbcUrl == null) == (dataSource == null)) {
        throw new ConfigurationException("url", jdbcUrl == null
            ? "missing: give a JDBC URL or a data source"
            : "give either a JDBC URL or a data source, not both");
      }
      if (dataSource != null && (user != null || password != null)) {
        throw new ConfigurationException("user", "user and password go with a JDBC URL, not with a data source");
      }
      return new EventStore(this);
    }
  }
}
