package io.nip.state.redis.internal;

import io.nip.errors.ConfigurationException;
import io.nip.state.CheckpointStorage;
import io.nip.state.CheckpointStorageProvider;
import io.nip.state.redis.RedisCheckpointStorage;
import java.util.Map;

/**
 * Registers the Redis checkpoint storage as {@code redis} for
 * {@code CheckpointStorageProvider.create("redis[:<redis uri>]", settings)} and the tutorial's
 * {@code CheckpointManager(storage="redis")}. Settings: {@code pipeline} (required),
 * {@code redis.uri} (or the location after the name; default {@code redis://localhost:6379}),
 * {@code redis.prefix}. Unknown keys are refused.
 *
 * <p>Stateless; safe to call from any thread.
 */
public final class RedisCheckpointStorageProvider implements CheckpointStorageProvider {

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public CheckpointStorage create(Map<String, String> settings) {
    RedisCheckpointStorage.Builder b = RedisCheckpointStorage.builder();
    String pipeline = settings.get("pipeline");
    if (pipeline == null) {
      throw new ConfigurationException("pipeline", "missing: the name of the pipeline whose checkpoints these are");
    }
    b.pipeline(pipeline);
    String uri = settings.getOrDefault(LOCATION, settings.getOrDefault("redis.uri", "redis://localhost:6379"));
    b.uri(uri);
    for (Map.Entry<String, String> e : settings.entrySet()) {
      switch (e.getKey()) {
        case "pipeline", LOCATION, "redis.uri" -> { }
        case "redis.prefix" -> b.keyPrefix(e.getValue());
        default -> throw new ConfigurationException(e.getKey(), "unknown setting of the redis checkpoint storage");
      }
    }
    return b.build();
  }
}
