package io.nip.state.redis;

import io.nip.errors.ConfigurationException;
import io.nip.state.CheckpointStorage;
import io.nip.state.redis.internal.Connections;
import io.nip.state.redis.internal.RedisCheckpoints;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Checkpoints in Redis: each task's snapshot (state, timers, watermarks, source positions) in a hash
 * per checkpoint, made the latest completed checkpoint by one atomic server-side step; the 2 latest
 * completed checkpoints are kept (configurable).
 *
 * <pre>{@code
 * // alone (the state may live anywhere):
 * CheckpointStorage storage = RedisCheckpointStorage.builder().uri("redis://localhost:6379").pipeline("clicks").build();
 * // or together with Redis state, so that store writes commit with the checkpoint:
 * CheckpointStorage linked = redisStateBackend.checkpointStorage("clicks");
 * }</pre>
 *
 * <p>Keys: {@code <prefix>:<pipeline>:#checkpoint:<id>} (hash task → snapshot bytes),
 * {@code :written}, {@code :completed} (sorted sets of ids) and {@code :latest}. Guarantees:
 * <ul>
 *   <li>{@link #complete} is atomic: after a crash, or a refused completion, the latest completed
 *       checkpoint is the previous one or the new one, never a mixture. With a linked backend the
 *       stores' writes of the checkpoint are applied in that same step.
 *   <li>Nothing is refused silently: a part for a checkpoint not newer than the latest completed
 *       one, completing a checkpoint without parts or one not newer than the latest, and keys of the
 *       wrong type all fail with a {@link CheckpointStorage.StorageFailure} that says why, having
 *       changed nothing.
 *   <li>Durability is the Redis server's: a completed checkpoint survives a server restart only
 *       with AOF (or an RDB snapshot taken after it). See the module README.
 * </ul>
 *
 * <p>Thread-safe: tasks write their parts concurrently; completions are serialized.
 */
public final class RedisCheckpointStorage implements CheckpointStorage {
  /** Completed checkpoints kept by default. */
  public static final int DEFAULT_RETAINED = 2;
  private final RedisCheckpoints checkpoints;

  private RedisCheckpointStorage(RedisCheckpoints checkpoints) {
    this.checkpoints = checkpoints;
  }

  /**
   * @param checkpoints checkpoints linked to a backend
   * @return the storage over them
   */
  static RedisCheckpointStorage linked(RedisCheckpoints checkpoints) {
    return new RedisCheckpointStorage(checkpoints);
  }

  /** @return a builder for a storage with its own connection; {@link Builder#uri} and {@link Builder#pipeline} are required */
  public static Builder builder() {
    return new Builder();
  }

  /** @return "redis:host:port/db/&lt;prefix&gt;:&lt;pipeline&gt;:#checkpoint" */
  @Override
  public String name() {
    return checkpoints.name();
  }

  /**
   * @return true when a {@link RedisStateBackend}'s stores commit their writes with this storage's
   *     checkpoints (made by {@link RedisStateBackend#checkpointStorage(String)})
   */
  public boolean commitsStoreWrites() {
    return checkpoints.linked();
  }

  /**
   * {@inheritDoc}
   *
   * @throws CheckpointStorage.StorageFailure also when {@code checkpointId} is not newer than the
   *     latest completed checkpoint (a completed checkpoint never changes)
   */
  @Override
  public void write(long checkpointId, String taskId, byte[] snapshot) {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(snapshot, "snapshot");
    checkpoints.write(checkpointId, taskId, snapshot);
  }

  /**
   * {@inheritDoc}
   *
   * @throws CheckpointStorage.StorageFailure also when the checkpoint has no part or is not newer
   *     than the latest completed one (nothing changed then); when Redis could not be reached the
   *     outcome is unknown and {@link #latestCompleted()} tells
   */
  @Override
  public void complete(long checkpointId) {
    checkpoints.complete(checkpointId);
  }

  @Override
  public OptionalLong latestCompleted() {
    return checkpoints.latestCompleted();
  }

  @Override
  public byte[] read(long checkpointId, String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    return checkpoints.read(checkpointId, taskId);
  }

  /** Closes this storage's own connection (a linked storage leaves the backend's open). */
  @Override
  public void close() {
    checkpoints.close();
  }

  @Override
  public String toString() {
    return "RedisCheckpointStorage[" + name() + "]";
  }

  /**
   * Settings of a standalone {@link RedisCheckpointStorage}; {@link #build()} validates and connects.
   *
   * <pre>{@code
   * CheckpointStorage storage = RedisCheckpointStorage.builder()
   *     .uri("redis://localhost:6379").pipeline("clicks").retained(3).build();
   * }</pre>
   */
  public static final class Builder {
    private String uri;
    private String pipeline;
    private String keyPrefix;
    private int retained = DEFAULT_RETAINED;
    private Duration commandTimeout = RedisStateBackend.DEFAULT_COMMAND_TIMEOUT;
    private Duration connectTimeout = RedisStateBackend.DEFAULT_CONNECT_TIMEOUT;

    private Builder() {}

    /**
     * @param uri the server, e.g. {@code redis://localhost:6379}; required
     * @return this builder
     */
    public Builder uri(String uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * @param pipeline the pipeline whose checkpoints these are (one storage per pipeline, as one
     *     directory per pipeline for the local-directory storage); required
     * @return this builder
     */
    public Builder pipeline(String pipeline) {
      Objects.requireNonNull(pipeline, "pipeline");
      if (pipeline.isBlank()) {
        throw ConfigurationException.invalid("pipeline", "'" + pipeline + "'", "must not be empty");
      }
      this.pipeline = pipeline;
      return this;
    }

    /**
     * @param keyPrefix what the keys start with; default: the pipeline's name
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
     * @param retained completed checkpoints to keep; at least 1, default {@value RedisCheckpointStorage#DEFAULT_RETAINED}
     * @return this builder
     */
    public Builder retained(int retained) {
      if (retained < 1) {
        throw ConfigurationException.invalid("checkpoint retention", retained, "must be at least 1");
      }
      this.retained = retained;
      return this;
    }

    /**
     * @param timeout how long one command may take; positive, default 10 s
     * @return this builder
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = RedisStateBackend.Builder.positive("redis.timeout", timeout);
      return this;
    }

    /**
     * @param timeout how long connecting may take; positive, default 5 s
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = RedisStateBackend.Builder.positive("redis.connect.timeout", timeout);
      return this;
    }

    /**
     * Validates the settings and connects.
     *
     * @return the storage, owning its connection
     * @throws ConfigurationException when the URI or the pipeline is missing or malformed
     * @throws io.nip.errors.StateException when the server cannot be reached
     */
    public RedisCheckpointStorage build() {
      var parsed = Connections.parse("redis.uri", uri);
      if (pipeline == null) {
        throw new ConfigurationException("pipeline", "is required: the pipeline whose checkpoints these are");
      }
      return new RedisCheckpointStorage(RedisCheckpoints.standalone(
          Connections.connect(parsed, commandTimeout, connectTimeout),
          keyPrefix == null ? pipeline : keyPrefix, pipeline, retained));
    }
  }
}
