package io.nip.state.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.state.CheckpointStorageProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The storage is found by its name {@code redis} and checks its settings. */
class RedisCheckpointProviderTest {

  @Test
  void when_redis_is_named_with_an_unknown_setting_then_the_provider_refuses_it() {
    assertThatThrownBy(() -> CheckpointStorageProvider.create("redis",
        Map.of("pipeline", "clicks", "redis.colour", "red")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("redis.colour");
    assertThatThrownBy(() -> CheckpointStorageProvider.create("redis", Map.of()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("pipeline");
  }
}
