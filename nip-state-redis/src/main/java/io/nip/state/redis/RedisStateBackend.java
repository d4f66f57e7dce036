package io.nip.state.redis;

import io.nip.errors.ConfigurationException;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSpec;
import io.nip.state.redis.internal.Connections;
import io.nip.state.redis.internal.RedisBackendCore;
import io.nip.time.NipClock;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Keyed state in Redis: every entry of every store is a Redis key with its own expiry, under
 * {@code <prefix>:<pipeline>:<taskId>:<operator>/<store>:<key>}, so the state is visible to other
 * programs (read-only: the task owns its keys) and outlives the process.
 *
 * <pre>{@code
 * RedisStateBackend redis = RedisStateBackend.builder().uri("redis://localhost:6379").build();
 * PipelineConfig cfg = PipelineConfig.builder()
 *     .stateBackend(redis)
 *     .checkpointStorage(redis.checkpointStorage("clicks"))   // store writes commit with each checkpoint
 *     .build();
 * }</pre>
 *
 * <p><b>Writes</b> are buffered on the task's side and sent in batches of {@link Builder#batchSize}
 * (one round trip per batch) and at every checkpoint barrier. <b>Reads</b> are served from a small
 * per-store cache of what the task wrote or read ({@link Builder#cacheSize} entries), else from
 * Redis. Values are serialized with the store's serdes, so a value changed after {@code put} must be
 * put again ({@link KeyValueStore#storesLiveObjects()} is false).
 *
 * <p><b>TTL</b>: a store's {@link StoreSpec#ttl() TTL} becomes the Redis expiry of each entry
 * ({@code SET ... PX}), counted from the put on the wall clock (Redis expiry is wall-clock time,
 * not the pipeline's clock: a pipeline on virtual time still sees entries expire in real time).
 * Redis removes expired entries itself; {@code purgeExpired()} only tidies the store's index.
 *
 * <p><b>Atomicity</b>: with {@link #checkpointStorage(String)} (checkpoints in the same Redis), the
 * writes of a checkpoint interval are staged and reach the live keys in the same atomic step that
 * completes the checkpoint, so the live keys always show the state of the latest completed
 * checkpoint. With any other checkpoint storage, each batch is applied atomically by itself and the
 * live keys may run ahead of the checkpoint; a restore rewrites them from the checkpoint.
 * Durability is the Redis server's: see the module README (AOF/RDB).
 *
 * <p>Thread-safe: stores of several tasks share one connection. Close the backend when the
 * pipelines using it stopped.
 */
public final class RedisStateBackend implements StateBackend, AutoCloseable {
  /** The default number of buffered writes sent per round trip. */
  public static final int DEFAULT_BATCH_SIZE = 500;
  /** The default number of entries a store keeps on the task side. */
  public static final int DEFAULT_CACHE_SIZE = 10_000;
  /** The default time one command or batch may take. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
  /** The default time connecting may take. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final RedisBackendCore core;
  private final String description;

  private RedisStateBackend(RedisBackendCore core, String description) {
    this.core = core;
    this.description = description;
  }

  /** @return a builder; {@link Builder#uri} is required */
  public static Builder builder() {
    return new Builder();
  }

  /** @return "redis" */
  @Override
  public String name() {
    return "redis";
  }

  /**
   * Creates a store of a task. Leftover uncommitted writes of an earlier process for the same store
   * (staged, never committed) are deleted the first time this backend creates it.
   *
   * @throws io.nip.errors.StateException when Redis cannot be reached
   */
  @Override
  public <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(clock, "clock");
    return core.createStore(spec, scope, clock);
  }

  /**
   * A checkpoint storage in this Redis, on this backend's connection, whose completion also commits
   * the writes of the pipeline's stores (one atomic step). Create it before the pipeline starts:
   * stores created earlier for the pipeline write their keys directly. It keeps the 2 latest
   * completed checkpoints.
   *
   * @param pipeline the pipeline's name (as given to {@code Pipeline.named}); its keys live under
   *     {@code <prefix>:<pipeline>:#checkpoint}
   * @return the storage; closing it leaves the connection to this backend
   * @throws ConfigurationException when the name is empty
   */
  public RedisCheckpointStorage checkpointStorage(String pipeline) {
    Objects.requireNonNull(pipeline, "pipeline");
    if (pipeline.isBlank()) {
      throw ConfigurationException.invalid("pipeline", "'" + pipeline + "'", "must not be empty");
    }
    return RedisCheckpointStorage.linked(core.linkedCheckpoints(pipeline, RedisCheckpointStorage.DEFAULT_RETAINED));
  }

  /** Closes the connection; the data stays in Redis. */
  @Override
  public void close() {
    core.close();
  }

  @Override
  public String toString() {
    return "RedisStateBackend[" + description + "]";
  }

  /**
   * Settings of a {@link RedisStateBackend}; {@link #build()} validates them and connects.
   *
   * <pre>{@code
   * RedisStateBackend redis = RedisStateBackend.builder()
   *     .uri("redis://redis.internal:6379/2").keyPrefix("prod").batchSize(1_000).build();
   * }</pre>
   */
  public static final class Builder {
    private String uri;
    private String keyPrefix;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int cacheSize = DEFAULT_CACHE_SIZE;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

    private Builder() {}

    /**
     * @param uri the server, e.g. {@code redis://localhost:6379}, {@code redis://:password@host:6379/2}
     *     or {@code rediss://host:6380} for TLS; required
     * @return this builder
     */
    public Builder uri(String uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * @param keyPrefix what every key starts with, e.g. "prod"; default: the pipeline's name
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      Objects.requireNonNull(keyPrefix, "keyPrefix");
      if (keyPrefix.isEmpty() || keyPrefix.chars().anyMatch(Character::isWhitespace)) {
        throw ConfigurationException.invalid("redis.prefix", "'" + keyPrefix + "'",
            "must be non-empty and without white space");
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * @param batchSize buffered writes of a store sent per round trip; at least 1, default
     *     {@value RedisStateBackend#DEFAULT_BATCH_SIZE}
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw ConfigurationException.invalid("redis.batch.size", batchSize, "must be at least 1");
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * @param cacheSize entries a store keeps on the task side for reads; 0 disables the cache,
     *     default {@value RedisStateBackend#DEFAULT_CACHE_SIZE}
     * @return this builder
     */
    public Builder cacheSize(int cacheSize) {
      if (cacheSize < 0) {
        throw ConfigurationException.invalid("redis.cache.size", cacheSize, "must be 0 or more");
      }
      this.cacheSize = cacheSize;
      return this;
    }

    /**
     * @param timeout how long one command or batch may take before the operation fails with a
     *     {@link io.nip.errors.StateException}; positive, default 10 s
     * @return this builder
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive("redis.timeout", timeout);
      return this;
    }

    /**
     * @param timeout how long connecting may take; positive, default 5 s
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("redis.connect.timeout", timeout);
      return this;
    }

    /** @return {@code d}, checked to be positive, else a {@link ConfigurationException} naming the setting */
    static Duration positive(String setting, Duration d) {
      Objects.requireNonNull(d, setting);
      if (d.isZero() || d.isNegative()) {
        throw ConfigurationException.invalid(setting, d, "must be positive");
      }
      return d;
    }

    /**
     * Validates the settings and connects.
     *
     * @return the backend
     * @throws ConfigurationException when the URI is missing or malformed
     * @throws io.nip.errors.StateException when the server cannot be reached
     */
    public RedisStateBackend build() {
      var parsed = Connections.parse("redis.uri", uri);
      RedisBackendCore core = new RedisBackendCore(Connections.connect(parsed, commandTimeout, connectTimeout),
          keyPrefix, batchSize, cacheSize, Clock.systemUTC());
      return new RedisStateBackend(core, core.server() + ", prefix=" + (keyPrefix == null ? "<pipeline>" : keyPrefix)
          + ", batch=" + batchSize + ", cache=" + cacheSize);
    }
  }
}
