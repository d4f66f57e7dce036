package io.nip.state;

import java.util.Map;
import java.util.ServiceLoader;

/**
 * Makes a {@link StateBackend} known by name, so that configuration and the tutorial's facades
 * ({@code state_store="rocksdb"}) can pick a backend that lives in another module. Modules register
 * an implementation in {@code META-INF/services/io.nip.state.StateBackendProvider}.
 *
 * <pre>{@code
 * StateBackend rocks = StateBackendProvider.create("rocksdb", Map.of("state.dir", "/var/lib/app/state"));
 * }</pre>
 */
public interface StateBackendProvider {

  /** @return the backend's name, e.g. "rocksdb" or "redis" */
  String name();

  /**
   * @param settings backend settings (e.g. "state.dir", "redis.uri"); unknown keys are refused
   * @return a new backend
   * @throws io.nip.errors.ConfigurationException when a setting is missing or invalid
   */
  StateBackend create(Map<String, String> settings);

  /**
   * Creates a backend by name: "memory", or one registered by a module on the class path.
   *
   * @param name the backend's name
   * @param settings its settings
   * @return the backend
   * @throws io.nip.errors.ConfigurationException when no module on the class path provides it, or a
   *     setting is invalid
   */
  static StateBackend create(String name, Map<String, String> settings) {
    if ("memory".equals(name)) {
      return StateBackend.inMemory();
    }
    java.util.List<String> known = new java.util.ArrayList<>(java.util.List.of("memory"));
    for (StateBackendProvider p : ServiceLoader.load(StateBackendProvider.class)) {
      if (p.name().equals(name)) {
        return p.create(settings);
      }
      known.add(p.name());
    }
    throw io.nip.errors.ConfigurationException.invalid("state.store", "'" + name + "'",
        "no state backend of that name is on the class path (available: " + known
            + "; rocksdb needs nip-state-rocksdb, redis needs nip-state-redis)");
  }
}
