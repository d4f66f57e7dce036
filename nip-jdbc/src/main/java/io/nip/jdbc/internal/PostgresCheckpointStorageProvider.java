package io.nip.jdbc.internal;

import io.nip.jdbc.PostgresCheckpointStorage;
import io.nip.state.CheckpointStorage;
import io.nip.state.CheckpointStorageProvider;
import java.util.HashMap;
import java.util.Map;

/**
 * Registers the PostgreSQL checkpoint storage as {@code postgres} for
 * {@code CheckpointStorageProvider.create("postgres[:<jdbc url>]", settings)} and the tutorial's
 * {@code CheckpointManager}: the settings are those of
 * {@link PostgresCheckpointStorage#fromProperties}; a location after the name is the JDBC URL.
 *
 * <p>Stateless; safe to call from any thread.
 */
public final class PostgresCheckpointStorageProvider implements CheckpointStorageProvider {

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public CheckpointStorage create(Map<String, String> settings) {
    Map<String, String> props = new HashMap<>(settings);
    String location = props.remove(LOCATION);
    if (location != null) {
      props.put("url", location);
    }
    return PostgresCheckpointStorage.fromProperties(props).build();
  }
}
