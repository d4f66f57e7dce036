package io.nip.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.state.CheckpointStorageProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The storage is found by its name {@code postgres} and checks its settings. */
class PostgresProviderTest {

  @Test
  void when_postgres_is_named_without_a_pipeline_then_the_provider_asks_for_it() {
    assertThatThrownBy(() -> CheckpointStorageProvider.create("postgres:jdbc:postgresql://localhost/app", Map.of()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("pipeline");
  }
}
