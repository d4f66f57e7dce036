package io.nip.cli;

import io.nip.errors.ConfigurationException;
import io.nip.errors.StateException;
import io.nip.state.StateBackend;
import io.nip.state.StateBackendProvider;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's state backend, chosen by {@code --state}, {@code --state-dir} and {@code --redis-uri}.
 *
 * <p>Why a class of its own: the choice is checked and the backend opened before the broker starts,
 * so that every bad setting (an unknown name, an option of another backend, a directory that cannot
 * be written, a Redis that does not answer) is a usage error with the option's name, not a failure
 * half-way through a run. The backend is created by name through {@link StateBackendProvider}, as
 * configuration files would; closing this closes it (RocksDB's native resources, the Redis
 * connection). Not thread-safe; one per run.
 */
final class StateOption implements AutoCloseable {
  /** The backends the demo offers. */
  static final List<String> NAMES = List.of("memory", "rocksdb", "redis");
  /** The server used by {@code --state redis} without {@code --redis-uri}. */
  static final String DEFAULT_REDIS_URI = "redis://localhost:6379";

  private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^@/]*)@");

  private final String name;
  private final StateBackend backend;
  private final String description;

  private StateOption(String name, StateBackend backend, String description) {
    this.name = name;
    this.backend = backend;
    this.description = description;
  }

  /**
   * Which backend the options ask for: {@code --state} when given, else rocksdb with a state
   * directory, redis with a Redis URI, memory otherwise; options that belong to another backend are
   * refused.
   *
   * @param state the value of {@code --state}, or null
   * @param stateDir the value of {@code --state-dir}, or null
   * @param redisUri the value of {@code --redis-uri}, or null
   * @return "memory", "rocksdb" or "redis"
   * @throws NipCommand.UsageException naming the option when the combination is not possible
   */
  static String resolve(String state, Path stateDir, String redisUri) {
    if (state == null) {
      if (stateDir != null && redisUri != null) {
        throw new NipCommand.UsageException("--state-dir (rocksdb) and --redis-uri (redis) exclude each other: "
            + "give one of them, or --state");
      }
      return stateDir != null ? "rocksdb" : redisUri != null ? "redis" : "memory";
    }
    String name = state.trim().toLowerCase(Locale.ROOT);
    if (name.equals("cassandra")) {
      throw new NipCommand.UsageException("--state cassandra: not supported yet; use memory, rocksdb or redis");
    }
    if (!NAMES.contains(name)) {
      throw new NipCommand.UsageException("--state " + state + ": unknown state backend; use memory, rocksdb or redis");
    }
    if (stateDir != null && !name.equals("rocksdb")) {
      throw new NipCommand.UsageException("--state-dir is for --state rocksdb, not with --state " + name);
    }
    if (redisUri != null && !name.equals("redis")) {
      throw new NipCommand.UsageException("--redis-uri is for --state redis, not with --state " + name);
    }
    if (name.equals("rocksdb") && stateDir == null) {
      throw new NipCommand.UsageException("--state rocksdb needs --state-dir DIR (where the databases go)");
    }
    return name;
  }

  /**
   * Checks the options ({@link #resolve}) and opens the backend: creates and checks RocksDB's
   * directory, connects to Redis.
   *
   * @param state the value of {@code --state}, or null
   * @param stateDir the value of {@code --state-dir}, or null
   * @param redisUri the value of {@code --redis-uri}, or null
   * @param redisPrefix what the Redis keys of this run start with
   * @return the open backend; close it when the run ended
   * @throws NipCommand.UsageException naming the option when it cannot be used
   */
  static StateOption open(String state, Path stateDir, String redisUri, String redisPrefix) {
    String name = resolve(state, stateDir, redisUri);
    return switch (name) {
      case "rocksdb" -> openRocksDb(stateDir);
      case "redis" -> openRedis(redisUri != null ? redisUri : DEFAULT_REDIS_URI, redisUri != null, redisPrefix);
      default -> new StateOption(name, StateBackend.inMemory(), "memory");
    };
  }

  private static StateOption openRocksDb(Path dir) {
    checkWritableDirectory(dir);
    StateBackend b = StateBackendProvider.create("rocksdb", Map.of("state.dir", dir.toString()));
    return new StateOption("rocksdb", b, "rocksdb in " + dir.toAbsolutePath().normalize());
  }

  private static StateOption openRedis(String uri, boolean given, String prefix) {
    String shown = redacted(uri);
    String option = given ? "--redis-uri " + shown : "--state redis (--redis-uri " + shown + " by default)";
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("redis.uri", uri);
    settings.put("redis.prefix", prefix);
    try {
      StateBackend b = StateBackendProvider.create("redis", settings);
      return new StateOption("redis", b, "redis at " + shown + ", keys under " + prefix + ":");
    } catch (ConfigurationException e) {
      throw new NipCommand.UsageException(option
          + ": not a Redis URI (e.g. redis://localhost:6379, redis://:password@host:6379/2, rediss://host:6380)");
    } catch (StateException e) {
      throw new NipCommand.UsageException(option + ": no Redis server reachable there (" + e.getMessage() + ")");
    }
  }

  /**
   * Creates the directory when missing and writes (and deletes) a file in it.
   *
   * @param dir the value of {@code --state-dir}
   * @throws NipCommand.UsageException with the operating system's reason when it cannot be used
   */
  static void checkWritableDirectory(Path dir) {
    try {
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new NotDirectoryException(dir.toString());
      }
      Files.createDirectories(dir);
      Files.delete(Files.createTempFile(dir, ".nip-write-check-", ".tmp"));
    } catch (IOException e) {
      throw new NipCommand.UsageException("--state-dir " + dir + ": " + reason(e));
    }
  }

  /** @return the operating system's reason for a failed file operation, e.g. "Permission denied" */
  static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof NotDirectoryException || e instanceof FileAlreadyExistsException) {
      return "Not a directory";
    }
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /**
   * @param uri a Redis URI
   * @return it with its password (or user and password) replaced by {@code ***}, for messages
   */
  static String redacted(String uri) {
    Matcher m = USER_INFO.matcher(uri);
    if (!m.find()) {
      return uri;
    }
    String info = m.group(2);
    int colon = info.indexOf(':');
    String hidden = colon >= 0 ? info.substring(0, colon + 1) + "***" : "***";
    return m.group(1) + hidden + "@" + uri.substring(m.end());
  }

  /** @return the open backend */
  StateBackend backend() {
    return backend;
  }

  /** @return the backend and where it keeps the state, for the summary (no password) */
  String description() {
    return description;
  }

  /** Closes the backend (the in-memory one has nothing to close). */
  @Override
  public void close() {
    if (backend instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new StateException("closing the " + name + " state backend failed: " + e.getMessage(), e);
      }
    }
  }
}
