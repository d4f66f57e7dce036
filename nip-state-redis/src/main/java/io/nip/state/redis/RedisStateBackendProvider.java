package io.nip.state.redis;

import io.nip.errors.ConfigurationException;
import io.nip.state.StateBackend;
import io.nip.state.StateBackendProvider;
import java.time.Duration;
import java.util.Map;

/**
 * Makes the Redis backend known by name: {@code StateBackendProvider.create("redis", settings)}
 * (the tutorial's {@code state_store="redis"}). Registered in
 * {@code META-INF/services/io.nip.state.StateBackendProvider}.
 *
 * <p>Settings:
 * <ul>
 *   <li>{@code redis.uri} (required), e.g. {@code redis://localhost:6379/0}
 *   <li>{@code redis.prefix}: the key prefix; default the pipeline's name
 *   <li>{@code redis.batch.size}: writes per round trip, default {@value RedisStateBackend#DEFAULT_BATCH_SIZE}
 *   <li>{@code redis.cache.size}: entries kept per store on the task side, default {@value RedisStateBackend#DEFAULT_CACHE_SIZE}
 *   <li>{@code redis.timeout}, {@code redis.connect.timeout}: ISO-8601 ({@code PT10S}) or milliseconds
 * </ul>
 * Unknown keys are refused.
 *
 * <pre>{@code
 * StateBackend redis = StateBackendProvider.create("redis", Map.of("redis.uri", "redis://localhost:6379"));
 * }</pre>
 */
public final class RedisStateBackendProvider implements StateBackendProvider {

  /** Used by the service loader. */
  public RedisStateBackendProvider() {}

  /** @return "redis" */
  @Override
  public String name() {
    return "redis";
  }

  /**
   * @return a connected {@link RedisStateBackend}
   * @throws ConfigurationException when a setting is missing, unknown or invalid
   * @throws io.nip.errors.StateException when the server cannot be reached
   */
  @Override
  public StateBackend create(Map<String, String> settings) {
    RedisStateBackend.Builder b = RedisStateBackend.builder();
    boolean hasUri = false;
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String k = e.getKey();
      String v = e.getValue() == null ? "" : e.getValue().trim();
      switch (k) {
        case "redis.uri" -> {
          b.uri(v);
          hasUri = true;
        }
        case "redis.prefix" -> b.keyPrefix(v);
        case "redis.batch.size" -> b.batchSize(parseInt(k, v));
        case "redis.cache.size" -> b.cacheSize(parseInt(k, v));
        case "redis.timeout" -> b.commandTimeout(parseDuration(k, v));
        case "redis.connect.timeout" -> b.connectTimeout(parseDuration(k, v));
        default -> throw new ConfigurationException(k, "unknown setting of the redis state backend (known: redis.uri, "
            + "redis.prefix, redis.batch.size, redis.cache.size, redis.timeout, redis.connect.timeout)");
      }
    }
    if (!hasUri) {
      throw new ConfigurationException("redis.uri", "is required, e.g. redis://localhost:6379");
    }
    return b.build();
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
}
