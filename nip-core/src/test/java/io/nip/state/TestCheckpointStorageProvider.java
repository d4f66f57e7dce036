package io.nip.state;

import io.nip.errors.ConfigurationException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A provider registered for the tests (META-INF/services in nip-core's test resources) under the
 * name {@value #NAME}: a storage in memory that remembers the location and settings it was made
 * with, to show what {@link CheckpointStorageProvider#create} hands to a provider.
 */
public final class TestCheckpointStorageProvider implements CheckpointStorageProvider {
  /** The provider's name. */
  public static final String NAME = "test-memory";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckpointStorage create(Map<String, String> settings) {
    for (String key : settings.keySet()) {
      if (!key.equals("retained") && !key.equals(LOCATION)) {
        throw ConfigurationException.invalid("test-memory settings", key, "must be 'retained' or 'location'");
      }
    }
    return new Storage(settings.getOrDefault(LOCATION, ""), Map.copyOf(settings));
  }

  /** What a test-memory storage holds. */
  public static final class Storage implements CheckpointStorage {
    /** What followed "test-memory:". */
    public final String location;
    /** The settings it was created with. */
    public final Map<String, String> settings;
    private final Map<String, byte[]> parts = new HashMap<>();
    private long latest;

    Storage(String location, Map<String, String> settings) {
      this.location = location;
      this.settings = settings;
    }

    @Override
    public String name() {
      return NAME + ":" + location;
    }

    @Override
    public synchronized void write(long checkpointId, String taskId, byte[] snapshot) {
      parts.put(checkpointId + "/" + taskId, snapshot.clone());
    }

    @Override
    public synchronized void complete(long checkpointId) {
      latest = checkpointId;
    }

    @Override
    public synchronized OptionalLong latestCompleted() {
      return latest == 0 ? OptionalLong.empty() : OptionalLong.of(latest);
    }

    @Override
    public synchronized byte[] read(long checkpointId, String taskId) {
      return parts.get(checkpointId + "/" + taskId);
    }
  }
}
