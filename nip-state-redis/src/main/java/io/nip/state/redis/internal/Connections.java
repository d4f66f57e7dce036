package io.nip.state.redis.internal;

import io.lettuce.core.RedisURI;
import io.nip.errors.ConfigurationException;
import java.time.Duration;

/** Turns validated settings into a {@link RedisLink}; shared by the backend's and the storage's builders. */
public final class Connections {
  private Connections() {}

  /**
   * @param setting the setting's name, for messages
   * @param uri the URI as written, e.g. {@code redis://localhost:6379/0} or {@code rediss://user:pw@host:6380}
   * @return it, checked
   * @throws ConfigurationException when it is no Redis URI
   */
  public static RedisURI parse(String setting, String uri) {
    if (uri == null || uri.isBlank()) {
      throw new ConfigurationException(setting, "is required, e.g. redis://localhost:6379");
    }
    try {
      return RedisURI.create(uri.trim());
    } catch (RuntimeException e) {
      throw ConfigurationException.invalid(setting, "'" + uri + "'",
          "must be a Redis URI such as redis://localhost:6379/0 (" + e.getMessage() + ")");
    }
  }

  /**
   * @param uri a parsed URI
   * @param commandTimeout per command or batch
   * @param connectTimeout for connecting
   * @return a connected link
   * @throws io.nip.errors.StateException when the server cannot be reached
   */
  public static RedisLink connect(RedisURI uri, Duration commandTimeout, Duration connectTimeout) {
    return RedisLink.connect(uri, commandTimeout, connectTimeout);
  }
}
