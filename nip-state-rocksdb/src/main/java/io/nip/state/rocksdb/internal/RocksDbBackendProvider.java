package io.nip.state.rocksdb.internal;

import io.nip.errors.ConfigurationException;
import io.nip.state.StateBackend;
import io.nip.state.StateBackendProvider;
import io.nip.state.rocksdb.RocksDbStateBackend;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes the RocksDB backend known as "rocksdb" to {@link StateBackendProvider#create}. Settings:
 * {@code state.dir} (required), {@code block.cache.bytes}, {@code write.buffer.bytes},
 * {@code write.cache.entries}, {@code background.jobs}; sizes are plain byte counts or carry a
 * {@code k}, {@code m} or {@code g} suffix (powers of 1024). Unknown settings are refused, so a typo
 * is not silently ignored. Stateless.
 */
public final class RocksDbBackendProvider implements StateBackendProvider {
  static final Set<String> SETTINGS = Set.of("state.dir", "block.cache.bytes", "write.buffer.bytes",
      "write.cache.entries", "background.jobs");

  /** Used by {@link java.util.ServiceLoader}. */
  public RocksDbBackendProvider() {}

  @Override
  public String name() {
    return "rocksdb";
  }

  @Override
  public StateBackend create(Map<String, String> settings) {
    for (String key : settings.keySet()) {
      if (!SETTINGS.contains(key)) {
        throw ConfigurationException.invalid(key, "'" + settings.get(key) + "'",
            "is not a setting of the rocksdb state backend (known: " + new TreeSet<>(SETTINGS) + ")");
      }
    }
    String dir = settings.get("state.dir");
    if (dir == null || dir.isBlank()) {
      throw new ConfigurationException("state.dir", "the rocksdb state backend needs a directory, but none was given");
    }
    RocksDbStateBackend.Builder b = RocksDbStateBackend.builder(Path.of(dir));
    if (settings.containsKey("block.cache.bytes")) {
      b.blockCacheSize(bytes(settings, "block.cache.bytes"));
    }
    if (settings.containsKey("write.buffer.bytes")) {
      b.writeBufferSize(bytes(settings, "write.buffer.bytes"));
    }
    if (settings.containsKey("write.cache.entries")) {
      b.writeCacheEntries((int) number(settings, "write.cache.entries", Integer.MAX_VALUE));
    }
    if (settings.containsKey("background.jobs")) {
      b.backgroundJobs((int) number(settings, "background.jobs", Integer.MAX_VALUE));
    }
    return b.build();
  }

  /** @return a size: digits, optionally followed by k, m or g (KiB, MiB, GiB) */
  static long bytes(Map<String, String> settings, String key) {
    String v = settings.get(key).trim().toLowerCase(java.util.Locale.ROOT);
    long unit = 1;
    if (v.endsWith("k") || v.endsWith("m") || v.endsWith("g")) {
      unit = v.endsWith("k") ? 1L << 10 : v.endsWith("m") ? 1L << 20 : 1L << 30;
      v = v.substring(0, v.length() - 1);
    }
    long n = parse(key, settings.get(key), v, Long.MAX_VALUE / unit);
    return n * unit;
  }

  private static long number(Map<String, String> settings, String key, long max) {
    return parse(key, settings.get(key), settings.get(key).trim(), max);
  }

  private static long parse(String key, String raw, String digits, long max) {
    try {
      long n = Long.parseLong(digits);
      if (n < 0 || n > max) {
        throw ConfigurationException.invalid(key, "'" + raw + "'", "must be between 0 and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ConfigurationException.invalid(key, "'" + raw + "'", "must be a whole number (sizes may end in k, m or g)");
    }
  }
}
