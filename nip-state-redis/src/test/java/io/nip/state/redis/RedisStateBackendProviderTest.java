package io.nip.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.StateException;
import io.nip.serde.Serdes;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StateBackendProvider;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backend by name ("redis") with its settings, as configuration and the facades pick it. */
class RedisStateBackendProviderTest {
  static EmbeddedRedis redis;

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedis.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @Test
  void the_backend_named_redis_is_found_on_the_class_path_and_takes_its_settings() {
    // When
    StateBackend backend = StateBackendProvider.create("redis", Map.of("redis.uri", redis.uri(),
        "redis.prefix", "prod", "redis.batch.size", "1", "redis.cache.size", "0", "redis.timeout", "PT3S",
        "redis.connect.timeout", "2000"));
    // Then
    try (RedisStateBackend redisBackend = (RedisStateBackend) backend) {
      assertThat(backend.name()).isEqualTo("redis");
      assertThat(backend.toString()).contains("prefix=prod", "batch=1", "cache=0");
      KeyValueStore<String, String> s = backend.createKeyValueStore(
          StoreSpec.keyValue("s", Serdes.string(), Serdes.string()),
          new StateBackend.StoreScope("app", "keyed-0-0", "op"), NipClock.system());
      s.put("k", "v"); // batch size 1: sent at once
      assertThat(redis.redis().get("prod:app:keyed-0-0:op/s:k")).isEqualTo("v");
    }
  }

  @Test
  void bad_settings_are_refused_with_their_name_and_value() {
    assertThatThrownBy(() -> StateBackendProvider.create("redis", Map.of()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("redis.uri");
    assertThatThrownBy(() -> StateBackendProvider.create("redis", Map.of("redis.uri", redis.uri(), "redis.url", "x")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("redis.url");
    assertThatThrownBy(() -> StateBackendProvider.create("redis", Map.of("redis.uri", redis.uri(),
        "redis.batch.size", "many"))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("redis.batch.size").hasMessageContaining("many");
    assertThatThrownBy(() -> StateBackendProvider.create("redis", Map.of("redis.uri", redis.uri(),
        "redis.batch.size", "0"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("redis.batch.size");
    assertThatThrownBy(() -> StateBackendProvider.create("redis", Map.of("redis.uri", redis.uri(),
        "redis.timeout", "soon"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("redis.timeout");
    assertThatThrownBy(() -> StateBackendProvider.create("redis", Map.of("redis.uri", "localhost:6379")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("redis.uri");
  }

  @Test
  void an_unreachable_server_fails_at_build_naming_it() {
    assertThatThrownBy(() -> RedisStateBackend.builder().uri("redis://127.0.0.1:1")
        .connectTimeout(java.time.Duration.ofMillis(500)).build())
        .isInstanceOf(StateException.class).hasMessageContaining("127.0.0.1:1");
  }
}
