package io.nip.state.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.model.OsArchitecture;

/**
 * A real Redis server (6.2, the binaries of {@code embedded-redis}) started by a test class on a
 * free loopback port, with persistence off, and stopped by {@link #close()}.
 *
 * <p>Binaries: the bundled linux-x86_64 server links {@code libssl.so.3} / {@code libcrypto.so.3}
 * (Debian 12: package {@code libssl3}; Debian 13: {@code libssl3t64}). When it cannot start for
 * lack of them, the bundled static 32-bit build is tried (it needs no library, but a kernel that
 * runs 32-bit programs); when that fails too, the error names the Debian package to install. No
 * server installed on the machine is ever used.
 *
 * <p>Public for other modules' tests, through this module's test jar (nip-cli's demo runs on it).
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final String STATIC_FALLBACK = "/redis-server-6.2.7-linux-386";
  private final RedisServer server;
  private final int port;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  private EmbeddedRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
    this.client = RedisClient.create("redis://127.0.0.1:" + port);
    this.connection = client.connect();
  }

  /**
   * @return a started server on a free port
   * @throws IllegalStateException when no bundled binary can run here, naming what is missing
   */
  public static EmbeddedRedis start() {
    return start(null);
  }

  /**
   * @param primary the server binary to try first, or null for the bundled one
   * @return a started server on a free port
   */
  static EmbeddedRedis start(ExecutableProvider primary) {
    List<String> failures = new ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      try {
        return new EmbeddedRedis(started(port, primary), port);
      } catch (IOException e) {
        String why = describe(e);
        failures.add(why);
        if (why.contains("Address already in use")) {
          continue; // another process took the port between probe and start
        }
        if (why.contains("libssl") || why.contains("libcrypto") || why.contains("shared librar")) {
          return startStaticFallback(port, failures);
        }
        break;
      }
    }
    throw new IllegalStateException("the embedded Redis server did not start: " + failures);
  }

  private static EmbeddedRedis startStaticFallback(int port, List<String> failures) {
    if (!OsArchitecture.detectOSandArchitecture().equals(OsArchitecture.UNIX_x86_64)) {
      throw missingLibrary(failures);
    }
    try {
      ExecutableProvider fallback = ExecutableProvider.newJarResourceProvider(
          Map.of(OsArchitecture.UNIX_x86_64, STATIC_FALLBACK));
      return new EmbeddedRedis(started(port, fallback), port);
    } catch (IOException e) {
      String why = describe(e);
      boolean no32Bit = why.contains("Exec format error") || why.contains("Syntax error");
      failures.add("static fallback " + STATIC_FALLBACK + (no32Bit ? " (this kernel runs no 32-bit programs)" : "")
          + ": " + why);
      throw missingLibrary(failures);
    }
  }

  private static IllegalStateException missingLibrary(List<String> failures) {
    return new IllegalStateException("the embedded Redis server needs libssl.so.3 and libcrypto.so.3: install the "
        + "Debian package libssl3 (Debian 12) or libssl3t64 (Debian 13), e.g. 'apt-get install -y libssl3'; "
        + "the static fallback could not run either. Details: " + failures);
  }

  private static RedisServer started(int port, ExecutableProvider provider) throws IOException {
    var builder = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
        .setting("save \"\"").setting("appendonly no").setting("protected-mode yes");
    if (provider != null) {
      builder.executableProvider(provider);
    }
    RedisServer s = builder.build();
    s.start();
    return s;
  }

  private static String describe(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append(" / ");
    }
    return b.toString();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port", e);
    }
  }

  /** @return the server's URI, e.g. redis://127.0.0.1:40123 */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** @return synchronous commands on a string connection, to inspect what the code under test wrote */
  public RedisCommands<String, String> redis() {
    return connection.sync();
  }

  /** Deletes every key (between tests of a class). */
  void flushAll() {
    connection.sync().flushall();
  }

  /** Stops the server. */
  @Override
  public void close() throws IOException {
    try {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } finally {
      server.stop();
    }
  }
}
