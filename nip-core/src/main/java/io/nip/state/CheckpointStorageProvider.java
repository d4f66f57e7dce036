package io.nip.state;

import io.nip.errors.ConfigurationException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Makes a {@link CheckpointStorage} known by name, so that configuration and the tutorial's
 * {@code CheckpointManager(storage="postgres")} can pick a storage that lives in another module.
 * A storage is written {@code name} or {@code name:location}; {@code local:<directory>} is built
 * in, other names come from modules that register an implementation in
 * {@code META-INF/services/io.nip.state.CheckpointStorageProvider}: {@code postgres} (nip-jdbc),
 * {@code redis} (nip-state-redis), and {@code kafka} (nip-kafka: checkpoints through changelog
 * topics and the consumer group's committed offsets).
 *
 * <pre>{@code
 * CheckpointStorage local = CheckpointStorageProvider.create("local:/var/lib/app/checkpoints", Map.of());
 * CheckpointStorage pg = CheckpointStorageProvider.create("postgres", Map.of("jdbc.url", "jdbc:postgresql://db/app"));
 * }</pre>
 */
public interface CheckpointStorageProvider {

  /** The built-in storage: checkpoints as files under a directory ({@code local:<directory>}). */
  String LOCAL = "local";

  /**
   * The setting that carries what followed {@code name:} in a storage's text (a directory, a URL, a
   * key prefix; its meaning is the provider's).
   */
  String LOCATION = "location";

  /** @return the storage's name, e.g. "postgres" or "redis"; letters, digits, '-' and '_' */
  String name();

  /**
   * @param settings storage settings (e.g. "jdbc.url", "redis.uri", and {@value #LOCATION} when the
   *     storage's text had one); unknown keys are refused
   * @return a new storage
   * @throws ConfigurationException when a setting is missing or invalid
   */
  CheckpointStorage create(Map<String, String> settings);

  /**
   * Creates a storage by its text: {@code local:<directory>}, or the name (and optional
   * {@code :location}) of one registered by a module on the class path.
   *
   * @param storage e.g. {@code "local:/var/lib/app/checkpoints"}, {@code "postgres"},
   *     {@code "redis:checkpoints/app"}
   * @param settings its settings; a location in the text is added as {@value #LOCATION};
   *     {@code local} takes nothing else
   * @return the storage
   * @throws ConfigurationException when no module on the class path provides it (the message names
   *     the module that does), when the name is {@code cassandra} (not supported yet), or when its
   *     location or a setting is invalid
   */
  static CheckpointStorage create(String storage, Map<String, String> settings) {
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(settings, "settings");
    int colon = storage.indexOf(':');
    String name = colon < 0 ? storage : storage.substring(0, colon);
    Map<String, String> all = new HashMap<>(settings);
    if (colon >= 0) {
      String location = storage.substring(colon + 1);
      if (settings.containsKey(LOCATION) && !settings.get(LOCATION).equals(location)) {
        throw ConfigurationException.invalid("checkpoint.storage", "'" + storage + "'",
            "must not name a location when the setting '" + LOCATION + "' names another ('" + settings.get(LOCATION) + "')");
      }
      all.put(LOCATION, location);
    }
    if (LOCAL.equals(name)) {
      return local(storage, all);
    }
    if ("cassandra".equals(name)) {
      throw ConfigurationException.invalid("checkpoint.storage", "'" + storage + "'",
          "is not supported yet (use local:<dir>, postgres or redis)");
    }
    List<String> known = new ArrayList<>(List.of(LOCAL));
    for (CheckpointStorageProvider p : ServiceLoader.load(CheckpointStorageProvider.class)) {
      if (p.name().equals(name)) {
        return p.create(Map.copyOf(all));
      }
      known.add(p.name());
    }
    throw ConfigurationException.invalid("checkpoint.storage", "'" + storage + "'",
        "no checkpoint storage of that name is on the class path (available: " + known
            + "; postgres needs nip-jdbc, redis needs nip-state-redis, kafka needs nip-kafka)");
  }

  private static CheckpointStorage local(String storage, Map<String, String> settings) {
    String dir = settings.getOrDefault(LOCATION, "");
    if (dir.isBlank()) {
      throw ConfigurationException.invalid("checkpoint.storage", "'" + storage + "'",
          "must name a directory, as in local:/var/lib/app/checkpoints");
    }
    if (settings.size() > 1) {
      throw ConfigurationException.invalid("checkpoint.storage settings", settings.keySet(),
          "must hold only '" + LOCATION + "': a local storage takes only its directory");
    }
    return CheckpointStorage.localDirectory(Path.of(dir));
  }

  /**
   * @param name a storage name, without location
   * @return whether {@link #create} knows it: {@code local}, or a provider on the class path
   */
  static boolean isAvailable(String name) {
    Objects.requireNonNull(name, "name");
    if (LOCAL.equals(name)) {
      return true;
    }
    for (CheckpointStorageProvider p : ServiceLoader.load(CheckpointStorageProvider.class)) {
      if (p.name().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
