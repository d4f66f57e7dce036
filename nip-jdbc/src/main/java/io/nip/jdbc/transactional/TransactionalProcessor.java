package io.nip.jdbc.transactional;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nip.errors.ConfigurationException;
import io.nip.errors.ConnectorException;
import io.nip.errors.NipException;
import io.nip.jdbc.internal.Redaction;
import io.nip.jdbc.transactional.internal.EventTransaction;
import io.nip.jdbc.transactional.internal.OutboxStore;
import io.nip.jdbc.transactional.internal.ProcessorHooks;
import io.nip.jdbc.transactional.internal.Relay;
import io.nip.jdbc.transactional.internal.SourceLoop;
import io.nip.jdbc.transactional.internal.TxTables;
import io.nip.serde.Serde;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once processing from Kafka into PostgreSQL and Kafka together: for each source record,
 * the handler's database statements, the Kafka records it emits and the record's source position
 * commit in one PostgreSQL transaction (the records as rows of an outbox table); a relay then moves
 * the outbox to Kafka in Kafka transactions that also carry its own position. So the database rows
 * and the Kafka records of one event are committed together or not at all, and never twice, across
 * crashes at any point. See the module README for the mechanism and why it is not two-phase commit.
 *
 * <pre>{@code
 * try (TransactionalProcessor<String> processor = TransactionalProcessor.builder("orders-tx", Serdes.string())
 *     .kafka("broker:9092").source("orders")
 *     .jdbcUrl("jdbc:postgresql://db:5432/app").user("nip").password(secret)
 *     .isolationLevel(IsolationLevel.READ_COMMITTED).deadLetterTopic("orders-dlq").build()) {
 *   processor.transactional((event, tx) -> {
 *     tx.database().update("INSERT INTO results VALUES (?, ?)", event.key(), event.value().length());
 *     tx.kafka().emit("results", event.key(), event.value().toUpperCase());
 *   });
 *   processor.start().awaitTermination(Duration.ofDays(365));
 * }
 * }</pre>
 *
 * <p><b>Life cycle.</b> {@link Builder#build() Build}, optionally set the handler with
 * {@link #transactional}, {@link #start()}, then {@link #close()}. Without a handler only the relay
 * runs, for {@link #transaction() explicit transactions}. One instance per processor name runs at a
 * time: {@code start()} takes a PostgreSQL advisory lock that a second instance waits for (up to
 * {@code lockTimeout}); a killed instance's lock goes with its database session.
 *
 * <p><b>Reading.</b> Every partition of the source topics is read by this instance with Kafka's
 * {@code read_committed}, starting from the positions stored in PostgreSQL with the last applied
 * event (the beginning for a partition never applied). Kafka's consumer-group offsets are not used.
 * Partitions added to the topics later are not picked up until a restart.
 *
 * <p><b>Failures.</b> A handler that throws rolls the whole event back; it runs again up to
 * {@code retry} times, then the record goes to the dead-letter topic (exactly once, with headers
 * naming the error), or, without one, the processor stops and {@link #awaitTermination} throws. A
 * serialization failure or deadlock of PostgreSQL, and a broken connection, run the event again
 * without counting. Kafka being unreachable delays the relay, it loses nothing.
 *
 * <p>Thread-safe. The handler runs on the processor's source thread, one record at a time.
 *
 * @param <V> the value type of the source records
 */
public final class TransactionalProcessor<V> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionalProcessor.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  private enum State { NEW, RUNNING, CLOSED }

  private final Builder<V> settings;
  private final HikariDataSource ownedPool;
  private final OutboxStore store;
  private final Relay relay;
  private final Object lifecycle = new Object();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicInteger liveThreads = new AtomicInteger();
  private final CompletableFuture<Void> termination = new CompletableFuture<>();
  private volatile State state = State.NEW;
  private TransactionalHandler<V> handler;
  private SourceLoop<V> source;
  private Thread sourceThread;
  private Thread relayThread;
  private Connection instanceLock;

  private TransactionalProcessor(Builder<V> b) {
    this.settings = b;
    Redaction redaction = new Redaction(b.jdbcUrl, b.password);
    DataSource ds;
    if (b.dataSource != null) {
      this.ownedPool = null;
      ds = b.dataSource;
    } else {
      this.ownedPool = pool(b);
      ds = ownedPool;
    }
    this.store = new OutboxStore(ds, new TxTables(b.schema, b.tablePrefix), b.name, redaction);
    this.relay = new Relay(b.name, store, b.clientProps(), b.transactionalId(), b.positionTopic(), b.relayBatchSize,
        Duration.ofMillis(200), b.hooks);
  }

  private static HikariDataSource pool(Builder<?> b) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(b.jdbcUrl);
    if (b.user != null) {
      c.setUsername(b.user);
    }
    if (b.password != null) {
      c.setPassword(b.password);
    }
    c.setPoolName("nip-tx-" + b.name);
    c.setMaximumPoolSize(b.poolSize);
    c.setMinimumIdle(0);
    c.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  /**
   * @param name the processor's name: the key of its rows in the tables, and part of its Kafka
   *     transactional id and position topic; letters, digits, '.', '_' and '-'
   * @param valueSerde deserializes the values of the source records
   * @param <V> the value type
   * @return a builder; give it the Kafka cluster, the source topics and the database
   */
  public static <V> Builder<V> builder(String name, Serde<V> valueSerde) {
    return new Builder<>(name, valueSerde);
  }

  /** @return the processor's name */
  public String name() {
    return settings.name;
  }

  /**
   * Sets the work done for each source record, in one transaction per record (the twin of the
   * tutorial's {@code @transactional_processor.transactional}).
   *
   * @param handler the handler
   * @return this processor
   * @throws IllegalStateException when started already, or a handler was set before
   * @throws ConfigurationException ({@code source}) when no source topic was given
   */
  public TransactionalProcessor<V> transactional(TransactionalHandler<V> handler) {
    Objects.requireNonNull(handler, "handler");
    synchronized (lifecycle) {
      if (state != State.NEW || this.handler != null) {
        throw new IllegalStateException("the handler of transactional processor '" + settings.name
            + "' is set once, before start()");
      }
      if (settings.topics.isEmpty()) {
        throw new ConfigurationException("source", "missing: a handler needs source topics to read");
      }
      this.handler = handler;
    }
    return this;
  }

  /**
   * Creates the tables if missing, takes the instance lock and starts the relay and (with a
   * handler) the source loop.
   *
   * @return this processor
   * @throws ConnectorException when the database is unreachable, or another instance holds the lock
   *     after {@code lockTimeout}
   * @throws IllegalStateException when started or closed already
   */
  public TransactionalProcessor<V> start() {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException("transactional processor '" + settings.name + "' is " + state);
      }
      store.ensureTables();
      instanceLock = store.lockInstance(settings.lockTimeout);
      state = State.RUNNING;
      relayThread = thread("relay", relay, true);
      if (handler != null) {
        source = new SourceLoop<>(new SourceLoop.Settings(settings.name, settings.clientProps(), settings.topics,
            settings.isolation, settings.retries, settings.retryBackoff, settings.deadLetterTopic, settings.bounded),
            settings.valueSerde, handler, store, seq -> relay.signal(), settings.hooks);
        sourceThread = thread("source", source, false);
      } else if (settings.bounded) {
        relay.finishWhenDrained();
      }
      liveThreads.set(sourceThread == null ? 1 : 2);
      relayThread.start();
      if (sourceThread != null) {
        sourceThread.start();
      }
    }
    return this;
  }

  private Thread thread(String role, Runnable work, boolean isRelay) {
    Thread t = new Thread(() -> {
      try {
        work.run();
        if (!isRelay) {
          relay.finishWhenDrained();
        }
      } catch (Throwable e) {
        if (failure.compareAndSet(null, e)) {
          LOG.error("transactional processor '{}' stops: {}", settings.name, e.toString());
        }
        if (isRelay) {
          if (source != null) {
            source.stop();
          }
        } else {
          relay.finishWhenDrained();
        }
      } finally {
        if (liveThreads.decrementAndGet() == 0) {
          Throwable f = failure.get();
          if (f == null) {
            termination.complete(null);
          } else {
            termination.completeExceptionally(f);
          }
        }
      }
    }, "nip-tx-" + role + "-" + settings.name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Opens a transaction bound to a source position: it moves the position past {@code offset} on
   * commit, and is {@link Transaction#alreadyApplied()} when a committed transaction did so before.
   * Use it to apply records the application reads itself, exactly once.
   *
   * @param topic the source topic
   * @param partition the source partition
   * @param offset the record's offset
   * @return the open transaction; close it (try-with-resources)
   * @throws SQLException when the database failed
   * @throws IllegalStateException when the processor is not running
   */
  public Transaction transaction(String topic, int partition, long offset) throws SQLException {
    Objects.requireNonNull(topic, "topic");
    requireRunning();
    return EventTransaction.begin(store, settings.isolation, topic, partition, offset, false, seq -> relay.signal());
  }

  /**
   * Opens a transaction that is bound to no source position: its statements and records commit
   * together, but nothing stops the same work from being committed twice.
   *
   * @return the open transaction; close it (try-with-resources)
   * @throws SQLException when the database failed
   * @throws IllegalStateException when the processor is not running
   */
  public Transaction transaction() throws SQLException {
    requireRunning();
    return EventTransaction.begin(store, settings.isolation, null, 0, 0, false, seq -> relay.signal());
  }

  private void requireRunning() {
    if (state != State.RUNNING) {
      throw new IllegalStateException("transactional processor '" + settings.name + "' is " + state
          + ": transactions need a running processor (start())");
    }
  }

  /**
   * Waits for the processor to end: a bounded processor once it read its source to the end offsets
   * it found at start and relayed everything to Kafka; any processor when it failed or was closed.
   *
   * @param timeout how long to wait
   * @return true when it ended, false on timeout
   * @throws NipException the failure that stopped it (a {@link io.nip.errors.UserCodeException}
   *     for an event that failed without a dead-letter topic, a {@link ConnectorException} for Kafka
   *     or the database)
   * @throws IllegalStateException when never started
   */
  public boolean awaitTermination(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (state == State.NEW) {
      throw new IllegalStateException("transactional processor '" + settings.name + "' was not started");
    }
    try {
      termination.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof NipException nip) {
        throw nip;
      }
      throw new ConnectorException("transactional processor '" + settings.name + "' failed: " + cause, cause);
    }
  }

  /** @return the last outbox sequence number committed to Kafka by the relay, or -1 before it started */
  public long relayedSequence() {
    return relay.relayed();
  }

  /**
   * Stops reading, lets the relay send what was committed (up to {@code closeTimeout}), releases the
   * instance lock and closes the pool made from a JDBC URL. What the relay did not send is sent by
   * the next start. Idempotent; a failure is reported by {@link #awaitTermination}, not here.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (state == State.CLOSED) {
        return;
      }
      boolean wasRunning = state == State.RUNNING;
      state = State.CLOSED;
      if (wasRunning) {
        stopThreads();
        try {
          instanceLock.close();
        } catch (SQLException e) {
          LOG.debug("closing the instance lock's connection failed; the lock goes with the session", e);
        }
      }
      if (ownedPool != null) {
        ownedPool.close();
      }
    }
  }

  private void stopThreads() {
    if (source != null) {
      source.stop();
      join(sourceThread, settings.closeTimeout);
    }
    relay.finishWhenDrained();
    join(relayThread, settings.closeTimeout);
    if (relayThread.isAlive()) {
      LOG.warn("transactional processor '{}': the relay did not send everything within {}; the next start does",
          settings.name, settings.closeTimeout);
      relay.stopNow();
      join(relayThread, settings.closeTimeout);
    }
  }

  private static void join(Thread t, Duration timeout) {
    try {
      t.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return e.g. {@code TransactionalProcessor[orders-tx, RUNNING]} */
  @Override
  public String toString() {
    return "TransactionalProcessor[" + settings.name + ", " + state + "]";
  }

  /**
   * Settings of a {@link TransactionalProcessor}, validated as they are set and by {@link #build()},
   * with messages naming the setting and the value.
   *
   * @param <V> the value type of the source records
   */
  public static final class Builder<V> {
    /** Client settings the processor sets itself. */
    private static final Set<String> OWN_CLIENT_SETTINGS = Set.of("bootstrap.servers", "transactional.id",
        "isolation.level", "enable.auto.commit", "auto.offset.reset", "group.id", "enable.idempotence", "acks",
        "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");
    private final String name;
    private final Serde<V> valueSerde;
    private String bootstrapServers;
    private final Map<String, Object> extraClientProps = new HashMap<>();
    private final List<String> topics = new ArrayList<>();
    private String jdbcUrl;
    private String user;
    private String password;
    private DataSource dataSource;
    private IsolationLevel isolation = IsolationLevel.READ_COMMITTED;
    private String schema;
    private String tablePrefix = "nip_tx_";
    private int retries = 3;
    private Duration retryBackoff = Duration.ofMillis(100);
    private String deadLetterTopic;
    private boolean bounded;
    private String transactionalId;
    private String positionTopic;
    private int relayBatchSize = 500;
    private Duration lockTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private int poolSize = 4;
    private ProcessorHooks hooks = ProcessorHooks.NONE;

    private Builder(String name, Serde<V> valueSerde) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw ConfigurationException.invalid("name", "'" + name + "'",
            "must be 1 to 200 letters, digits, '.', '_' or '-' (it names a Kafka transactional id and topic)");
      }
      this.name = name;
      this.valueSerde = Objects.requireNonNull(valueSerde, "valueSerde");
    }

    /**
     * @param bootstrapServers the Kafka cluster of the source, output and position topics, e.g.
     *     {@code broker:9092}
     * @return this builder
     */
    public Builder<V> kafka(String bootstrapServers) {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      if (bootstrapServers.isBlank()) {
        throw ConfigurationException.invalid("kafka", "'" + bootstrapServers + "'", "must be host:port[,host:port]");
      }
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /**
     * A setting for every Kafka client of the processor (consumer, producer, admin), e.g. security
     * settings. Settings the processor makes itself (transactional id, isolation level,
     * (de)serializers, offsets) are refused.
     *
     * @param key a Kafka client setting
     * @param value its value
     * @return this builder
     */
    public Builder<V> kafkaProperty(String key, Object value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (OWN_CLIENT_SETTINGS.contains(key)) {
        throw new ConfigurationException("kafkaProperty", "'" + key + "' is set by the processor itself"
            + (key.equals("bootstrap.servers") ? "; use kafka(bootstrapServers)" : ""));
      }
      extraClientProps.put(key, value);
      return this;
    }

    /**
     * @param topics the source topics, read from the positions stored in PostgreSQL
     * @return this builder
     */
    public Builder<V> source(String... topics) {
      for (String t : Objects.requireNonNull(topics, "topics")) {
        if (t == null || t.isBlank()) {
          throw ConfigurationException.invalid("source", "'" + t + "'", "must be a topic name");
        }
        if (!this.topics.contains(t)) {
          this.topics.add(t);
        }
      }
      return this;
    }

    /**
     * @param url a PostgreSQL JDBC URL, e.g. {@code jdbc:postgresql://db:5432/app}; the processor
     *     opens its own HikariCP pool on it
     * @return this builder
     */
    public Builder<V> jdbcUrl(String url) {
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
    public Builder<V> user(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    /**
     * @param password the password (with a JDBC URL); never shown in messages
     * @return this builder
     */
    public Builder<V> password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * @param dataSource an existing PostgreSQL data source instead of a JDBC URL; not closed by the
     *     processor. It needs room for three connections at once (lock, source, relay) plus explicit
     *     transactions.
     * @return this builder
     */
    public Builder<V> dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * @param level the isolation of each event's PostgreSQL transaction; default
     *     {@link IsolationLevel#READ_COMMITTED}
     * @return this builder
     */
    public Builder<V> isolationLevel(IsolationLevel level) {
      this.isolation = Objects.requireNonNull(level, "level");
      return this;
    }

    /**
     * @param schema the schema of the processor's tables (created if missing); default: the search path
     * @return this builder
     */
    public Builder<V> schema(String schema) {
      Objects.requireNonNull(schema, "schema");
      new TxTables(schema, tablePrefix);
      this.schema = schema;
      return this;
    }

    /**
     * @param prefix the prefix of the tables {@code <prefix>positions}, {@code <prefix>outbox} and
     *     {@code <prefix>sequences}; lower-case letters, digits and '_'; default {@code nip_tx_}
     * @return this builder
     */
    public Builder<V> tablePrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      new TxTables(schema, prefix);
      this.tablePrefix = prefix;
      return this;
    }

    /**
     * @param retries how many more times a failed event runs, 0 or more; default 3
     * @param backoff the pause before each new run, not negative; default 100 ms
     * @return this builder
     */
    public Builder<V> retry(int retries, Duration backoff) {
      if (retries < 0) {
        throw ConfigurationException.invalid("retry.retries", retries, "must not be negative");
      }
      Objects.requireNonNull(backoff, "backoff");
      if (backoff.isNegative()) {
        throw ConfigurationException.invalid("retry.backoff", backoff, "must not be negative");
      }
      this.retries = retries;
      this.retryBackoff = backoff;
      return this;
    }

    /**
     * @param topic where an event goes after its last failed run (original key, value and headers,
     *     plus {@code nip.error.class}, {@code nip.error.message}, {@code nip.processor},
     *     {@code nip.source}, {@code nip.partition}, {@code nip.offset}, {@code nip.attempts}),
     *     exactly once, through the outbox; default none: the processor stops instead
     * @return this builder
     */
    public Builder<V> deadLetterTopic(String topic) {
      Objects.requireNonNull(topic, "topic");
      if (topic.isBlank()) {
        throw ConfigurationException.invalid("deadLetterTopic", "'" + topic + "'", "must be a topic name");
      }
      this.deadLetterTopic = topic;
      return this;
    }

    /**
     * Makes the processor end by itself once it read every source partition up to the end offset it
     * found at start and relayed everything to Kafka (for batch runs and tests).
     *
     * @return this builder
     */
    public Builder<V> bounded() {
      this.bounded = true;
      return this;
    }

    /**
     * @param id the Kafka transactional id of the relay; stable across restarts so that a restarted
     *     relay fences its predecessor; default {@code nip-tx-<name>}
     * @return this builder
     */
    public Builder<V> transactionalId(String id) {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw ConfigurationException.invalid("transactionalId", "'" + id + "'", "must not be blank");
      }
      this.transactionalId = id;
      return this;
    }

    /**
     * @param topic the compacted one-partition topic holding the relay's position, created if
     *     missing; default {@code <name>.nip-relay-position}
     * @return this builder
     */
    public Builder<V> positionTopic(String topic) {
      Objects.requireNonNull(topic, "topic");
      if (topic.isBlank()) {
        throw ConfigurationException.invalid("positionTopic", "'" + topic + "'", "must be a topic name");
      }
      this.positionTopic = topic;
      return this;
    }

    /**
     * @param rows the most outbox rows the relay sends in one Kafka transaction, at least 1; default 500
     * @return this builder
     */
    public Builder<V> relayBatchSize(int rows) {
      if (rows < 1) {
        throw ConfigurationException.invalid("relayBatchSize", rows, "must be at least 1");
      }
      this.relayBatchSize = rows;
      return this;
    }

    /**
     * @param timeout how long {@code start()} waits for another instance of the processor to let go
     *     of the instance lock; default 30 s
     * @return this builder
     */
    public Builder<V> lockTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw ConfigurationException.invalid("lockTimeout", timeout, "must not be negative");
      }
      this.lockTimeout = timeout;
      return this;
    }

    /**
     * @param timeout how long {@code close()} waits for the source loop to stop and, again, for the
     *     relay to send what was committed; default 30 s
     * @return this builder
     */
    public Builder<V> closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw ConfigurationException.invalid("closeTimeout", timeout, "must not be negative");
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * @param size the most connections of the pool made from a JDBC URL, at least 3 (instance lock,
     *     source loop, relay); default 4
     * @return this builder
     */
    public Builder<V> poolSize(int size) {
      if (size < 3) {
        throw ConfigurationException.invalid("poolSize", size, "must be at least 3 (lock, source loop, relay)");
      }
      this.poolSize = size;
      return this;
    }

    /** Test hooks at the gaps of the commit protocol; for tests in this package only. */
    Builder<V> hooks(ProcessorHooks hooks) {
      this.hooks = Objects.requireNonNull(hooks, "hooks");
      return this;
    }

    private String transactionalId() {
      return transactionalId != null ? transactionalId : "nip-tx-" + name;
    }

    private String positionTopic() {
      return positionTopic != null ? positionTopic : name + ".nip-relay-position";
    }

    private Map<String, Object> clientProps() {
      Map<String, Object> props = new HashMap<>(extraClientProps);
      props.put("bootstrap.servers", bootstrapServers);
      return props;
    }

    /**
     * Builds the processor. Does no I/O: {@link TransactionalProcessor#start()} connects.
     *
     * @return the processor
     * @throws ConfigurationException when the Kafka cluster or the database is missing, or both a
     *     JDBC URL and a data source were given
     */
    public TransactionalProcessor<V> build() {
      if (bootstrapServers == null) {
        throw new ConfigurationException("kafka", "missing: the bootstrap servers of the Kafka cluster");
      }
      if ((jdbcUrl == null) == (dataSource == null)) {
        throw new ConfigurationException("url", jdbcUrl == null
            ? "missing: give a JDBC URL or a data source"
            : "give either a JDBC URL or a data source, not both");
      }
      if (dataSource != null && (user != null || password != null)) {
        throw new ConfigurationException("user", "user and password go with a JDBC URL, not with a data source");
      }
      if (deadLetterTopic != null && topics.contains(deadLetterTopic)) {
        throw ConfigurationException.invalid("deadLetterTopic", "'" + deadLetterTopic + "'",
            "must not be a source topic");
      }
      return new TransactionalProcessor<>(this);
    }
  }
}
