package io.nip.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nip.errors.ConfigurationException;
import io.nip.jdbc.internal.CheckpointTables;
import io.nip.jdbc.internal.JdbcWork;
import io.nip.jdbc.internal.PostgresCheckpoints;
import io.nip.jdbc.internal.Redaction;
import io.nip.state.CheckpointStorage;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * A {@link CheckpointStorage} in PostgreSQL: each task's part of a checkpoint is a {@code bytea} row
 * keyed by (pipeline, checkpoint id, task id), and a checkpoint is completed by one transaction that
 * inserts its row into the checkpoints table and prunes older checkpoints. A crash before that
 * commit leaves the previous completed checkpoint the latest; {@link #latestCompleted()} and {@link
 * #read} only see completed checkpoints. Several pipelines (each with its own name) may share one
 * table set. The tables are created on first use ({@code CREATE TABLE IF NOT EXISTS}, see the
 * module README for the DDL).
 *
 * <pre>{@code
 * try (PostgresCheckpointStorage storage = PostgresCheckpointStorage.builder("billing")
 *     .jdbcUrl("jdbc:postgresql://db:5432/app").user("nip").password(secret).build()) {
 *   Pipeline p = Pipeline.named("billing", PipelineConfig.builder().checkpointStorage(storage).build());
 *   ...
 * }
 * }</pre>
 *
 * <p>All methods are thread-safe: task threads write their parts concurrently. A pipeline never
 * closes its storage; close it once the pipeline terminated (that closes the connection pool the
 * storage made from a JDBC URL, not a data source that was handed to it). Failures are {@link
 * CheckpointStorage.StorageFailure}s naming the checkpoint, the pipeline and the table, never a
 * password. A connection that breaks while in use is retried on a fresh one (twice).
 */
public final class PostgresCheckpointStorage implements CheckpointStorage {
  private final String pipeline;
  private final CheckpointTables tables;
  private final PostgresCheckpoints checkpoints;
  private final HikariDataSource ownedPool;
  private final String location;
  private final int retained;

  private PostgresCheckpointStorage(Builder b) {
    this.pipeline = b.pipeline;
    this.tables = new CheckpointTables(b.schema, b.tablePrefix);
    this.retained = b.retained;
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
    this.checkpoints = new PostgresCheckpoints(tables, new JdbcWork(ds, redaction), pipeline, retained);
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
    c.setPoolName("nip-checkpoints-" + b.pipeline);
    c.setMaximumPoolSize(b.poolSize);
    c.setMinimumIdle(0);
    c.setConnectionTimeout(b.connectionTimeout.toMillis());
    // building does no I/O: connections are opened on first use
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  /**
   * @param pipeline the pipeline (application) whose checkpoints these are: the key that separates
   *     pipelines sharing the tables; use the pipeline's name
   * @return a builder; give it a JDBC URL or a data source
   */
  public static Builder builder(String pipeline) {
    return new Builder(pipeline);
  }

  /**
   * Reads the settings from string properties, e.g. a configuration file. Keys: {@code pipeline}
   * (required), {@code url}, {@code user}, {@code password}, {@code schema}, {@code table.prefix},
   * {@code retained.checkpoints}, {@code pool.size}, {@code connection.timeout} (ISO-8601 like
   * {@code PT10S} or milliseconds). Unknown keys are rejected.
   *
   * <pre>{@code
   * PostgresCheckpointStorage s = PostgresCheckpointStorage.fromProperties(Map.of(
   *     "pipeline", "billing", "url", "jdbc:postgresql://db:5432/app", "user", "nip")).build();
   * }</pre>
   *
   * @param props the properties
   * @return a builder holding them (add a data source or anything else, then build)
   * @throws ConfigurationException naming the key of a missing, unknown or invalid setting
   */
  public static Builder fromProperties(Map<String, String> props) {
    Objects.requireNonNull(props, "props");
    String pipeline = props.get("pipeline");
    if (pipeline == null) {
      throw new ConfigurationException("pipeline", "missing: the name of the pipeline whose checkpoints these are");
    }
    Builder b = builder(pipeline);
    for (Map.Entry<String, String> e : props.entrySet()) {
      String k = e.getKey();
      String v = e.getValue().trim();
      switch (k) {
        case "pipeline": break;
        case "url": b.jdbcUrl(v); break;
        case "user": b.user(v); break;
        case "password": b.password(e.getValue()); break;
        case "schema": b.schema(v); break;
        case "table.prefix": b.tablePrefix(v); break;
        case "retained.checkpoints": b.retainedCheckpoints(parseInt(k, v)); break;
        case "pool.size": b.poolSize(parseInt(k, v)); break;
        case "connection.timeout": b.connectionTimeout(parseDuration(k, v)); break;
        default: throw new ConfigurationException(k, "unknown setting of the postgres checkpoint storage");
      }
    }
    return b;
  }

  private static int parseInt(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ConfigurationException.invalid(key, "'" + v + "'", "must be a whole number");
    }
  }

  private static Duration parseDuration(String key, String v) {
    try {
      return v.startsWith("P") || v.startsWith("p") ? Duration.parse(v) : Duration.ofMillis(Long.parseLong(v));
    } catch (RuntimeException e) {
      throw ConfigurationException.invalid(key, "'" + v + "'", "must be an ISO-8601 duration (PT10S) or milliseconds");
    }
  }

  /** @return e.g. {@code postgres:jdbc:postgresql://db:5432/app/nip_checkpoints#billing}, without credentials */
  @Override
  public String name() {
    return "postgres:" + location + "/" + tables.checkpoints() + "#" + pipeline;
  }

  /** @return the pipeline whose checkpoints this storage holds */
  public String pipeline() {
    return pipeline;
  }

  /** @return the table of completed checkpoints, schema-qualified when a schema was set */
  public String checkpointsTable() {
    return tables.checkpoints();
  }

  /** @return the table of checkpoint parts, schema-qualified when a schema was set */
  public String partsTable() {
    return tables.parts();
  }

  /** @return how many completed checkpoints are kept */
  public int retainedCheckpoints() {
    return retained;
  }

  /**
   * Creates the schema (when one was set and it is missing) and the tables unless they exist. Every
   * other method does it on first use; call it to fail early.
   *
   * @throws CheckpointStorage.StorageFailure when the database is unreachable or refuses
   */
  public void createTablesIfMissing() {
    checkpoints.ensureTables();
  }

  /**
   * Upserts the task's part; a part written again before completion replaces the earlier one.
   *
   * @param checkpointId the checkpoint, positive
   * @param taskId the task
   * @param snapshot the bytes, stored as they are (any length, empty allowed)
   * @throws CheckpointStorage.StorageFailure when the write failed or the checkpoint is already
   *     completed (completed checkpoints are immutable)
   */
  @Override
  public void write(long checkpointId, String taskId, byte[] snapshot) {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(snapshot, "snapshot");
    checkpoints.write(checkpointId, taskId, snapshot);
  }

  /**
   * In one transaction: marks the checkpoint completed and deletes the completed checkpoints beyond
   * the retention, with their parts and the parts of older checkpoints that never completed.
   * Completing a completed checkpoint again changes nothing.
   *
   * @param checkpointId a checkpoint whose parts were all written
   * @throws CheckpointStorage.StorageFailure when it has no part, or the transaction failed (then
   *     nothing changed)
   */
  @Override
  public void complete(long checkpointId) {
    checkpoints.complete(checkpointId);
  }

  /**
   * @return the latest completed checkpoint of this pipeline, or empty when none
   * @throws CheckpointStorage.StorageFailure when it could not be read
   */
  @Override
  public OptionalLong latestCompleted() {
    return checkpoints.latestCompleted();
  }

  /**
   * @param checkpointId a completed checkpoint
   * @param taskId a task
   * @return the task's part, or null when the task wrote none or the checkpoint is not completed
   * @throws CheckpointStorage.StorageFailure when it could not be read
   */
  @Override
  public byte[] read(long checkpointId, String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    return checkpoints.read(checkpointId, taskId);
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
   * Settings of a {@link PostgresCheckpointStorage}; validated as they are set and by {@link
   * #build()}, with messages naming the setting and the value.
   */
  public static final class Builder {
    private final String pipeline;
    private String jdbcUrl;
    private String user;
    private String password;
    private DataSource dataSource;
    private String schema;
    private String tablePrefix = "nip_";
    private int retained = 2;
    private int poolSize = 4;
    private Duration connectionTimeout = Duration.ofSeconds(10);

    private Builder(String pipeline) {
      Objects.requireNonNull(pipeline, "pipeline");
      if (pipeline.isBlank()) {
        throw ConfigurationException.invalid("pipeline", "'" + pipeline + "'", "must not be blank");
      }
      this.pipeline = pipeline;
    }

    /**
     * @param url a PostgreSQL JDBC URL, e.g. {@code jdbc:postgresql://db:5432/app}; the storage
     *     opens its own HikariCP pool on it
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
     * @param dataSource an existing data source (a pool the application already has), instead of a
     *     JDBC URL; the storage does not close it
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
      CheckpointTables.validate(schema, tablePrefix);
      this.schema = schema;
      return this;
    }

    /**
     * @param prefix the prefix of the table names {@code <prefix>checkpoints} and {@code
     *     <prefix>checkpoint_parts}; lower-case letters, digits and '_', possibly empty; default
     *     {@code nip_}
     * @return this builder
     */
    public Builder tablePrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      CheckpointTables.validate(schema, prefix);
      this.tablePrefix = prefix;
      return this;
    }

    /**
     * @param retained how many completed checkpoints are kept, at least 1; default 2
     * @return this builder
     */
    public Builder retainedCheckpoints(int retained) {
      if (retained < 1) {
        throw ConfigurationException.invalid("retained checkpoints", retained, "must be at least 1");
      }
      this.retained = retained;
      return this;
    }

    /**
     * @param size the most connections of the pool made from a JDBC URL; default 4 (one per task
     *     thread writing at once is plenty)
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
     * @param timeout how long an operation waits for a connection of the pool made from a JDBC URL
     *     before it fails; at least 250 ms; default 10 s
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
     * Builds the storage. Does no I/O: the first operation connects and creates the tables.
     *
     * @return the storage
     * @throws ConfigurationException when neither or both of a JDBC URL and a data source were given
     */
    public PostgresCheckpointStorage build() {
      if ((jdbcUrl == null) == (dataSource == null)) {
        throw new ConfigurationException("url", jdbcUrl == null
            ? "missing: give a JDBC URL or a data source"
            : "give either a JDBC URL or a data source, not both");
      }
      if (dataSource != null && (user != null || password != null)) {
        throw new ConfigurationException("user", "user and password go with a JDBC URL, not with a data source");
      }
      return new PostgresCheckpointStorage(this);
    }
  }
}
