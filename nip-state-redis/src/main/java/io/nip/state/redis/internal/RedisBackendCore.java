package io.nip.state.redis.internal;

import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.time.Clock;

/**
 * What a Redis state backend holds: the shared connection, the key prefix, the batching and cache
 * sizes and the staging bookkeeping; it creates the stores and the checkpoint storages linked to
 * them. The public {@code RedisStateBackend} is a thin, validated front for it.
 *
 * <p>Threading: thread-safe; stores are created on task threads.
 */
public final class RedisBackendCore implements AutoCloseable {
  private final RedisLink link;
  private final String prefix;
  private final int batchSize;
  private final int cacheSize;
  private final Clock wallClock;
  private final Staging staging = new Staging();

  /**
   * @param link the connection, owned (closed) by this core from now on
   * @param prefix the key prefix, or null for each store's pipeline name
   * @param batchSize buffered writes per round trip, positive
   * @param cacheSize entries a store keeps on the task side, zero or more
   * @param wallClock the clock TTL deadlines are measured on (Redis expiry is wall-clock time)
   */
  public RedisBackendCore(RedisLink link, String prefix, int batchSize, int cacheSize, Clock wallClock) {
    this.link = link;
    this.prefix = prefix;
    this.batchSize = batchSize;
    this.cacheSize = cacheSize;
    this.wallClock = wallClock;
  }

  /** @return the server as "host:port/database" */
  public String server() {
    return link.server();
  }

  /**
   * @param pipeline a pipeline name
   * @return the key prefix its keys start with
   */
  public String prefixFor(String pipeline) {
    return prefix != null ? prefix : pipeline;
  }

  /**
   * Creates a store: staged when the pipeline's checkpoints go to this Redis, else writing its
   * live keys directly.
   *
   * @param spec the store's description
   * @param scope its pipeline, task and operator
   * @param clock the pipeline's clock (for the expiry times in snapshots)
   * @param <K> key type
   * @param <V> value type
   * @return the store
   * @throws io.nip.errors.StateException when Redis cannot be reached
   */
  public <K, V> KeyValueStore<K, V> createStore(StoreSpec<K, V> spec, StateBackend.StoreScope scope, NipClock clock) {
    String base = KeyLayout.base(prefixFor(scope.pipeline()), scope, spec.name());
    Staging.Placement placement = staging.place(scope, base);
    Remote remote = new Remote(link, base, placement.log(), placement.firstPlacement(), spec.ttl() != null, wallClock);
    return new RedisKeyValueStore<>(spec, remote, clock, wallClock, batchSize, cacheSize);
  }

  /**
   * Links a pipeline: stores created for it from now on stage their writes, and the returned
   * checkpoints commit them.
   *
   * @param pipeline the pipeline name
   * @param retained completed checkpoints to keep, at least 1
   * @return the checkpoints of that pipeline in this Redis
   */
  public RedisCheckpoints linkedCheckpoints(String pipeline, int retained) {
    staging.link(pipeline);
    return new RedisCheckpoints(link, KeyLayout.checkpoints(prefixFor(pipeline), pipeline), retained, pipeline,
        staging, wallClock, false);
  }

  /** Closes the connection. */
  @Override
  public void close() {
    link.close();
  }
}
