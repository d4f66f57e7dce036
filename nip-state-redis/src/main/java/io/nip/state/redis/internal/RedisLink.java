package io.nip.state.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.nip.errors.StateException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection to Redis, shared by every store of a backend and by its checkpoint storage.
 *
 * <p>Why one connection: Lettuce connections are thread-safe and pipeline the commands of several
 * threads on one socket. Nothing here relies on per-connection state (no MULTI/WATCH, no SELECT
 * after connecting): every step that must be atomic is one Lua script, which Redis runs with no
 * other command in between. Commands of a batch are issued asynchronously and awaited together,
 * so a batch costs one round trip.
 *
 * <p>Scripts are loaded once and called by digest; a server that lost its script cache (restart,
 * {@code SCRIPT FLUSH}) answers NOSCRIPT, and the script is loaded again and the call repeated once.
 *
 * <p>Failures (refused commands, timeouts, lost connections) become {@link StateException}s that
 * name the operation and the server (never its password).
 *
 * <p>Threading: thread-safe.
 */
public final class RedisLink implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> async;
  private final long timeoutMillis;
  private final String server;
  private final Map<Script, String> digests = new EnumMap<>(Script.class);

  private RedisLink(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection, Duration timeout,
      String server) {
    this.client = client;
    this.connection = connection;
    this.async = connection.async();
    this.timeoutMillis = timeout.toMillis();
    this.server = server;
  }

  /**
   * Connects, or fails at once.
   *
   * @param uri the server, e.g. {@code redis://localhost:6379/0}
   * @param commandTimeout how long one command (or batch) may take
   * @param connectTimeout how long connecting may take
   * @return the link
   * @throws StateException when the server cannot be reached
   */
  public static RedisLink connect(RedisURI uri, Duration commandTimeout, Duration connectTimeout) {
    RedisURI u = RedisURI.builder(uri).withTimeout(commandTimeout).build();
    String server = u.getHost() + ":" + u.getPort() + "/" + u.getDatabase();
    RedisClient client = RedisClient.create(u);
    client.setOptions(ClientOptions.builder()
        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .build());
    try {
      return new RedisLink(client, client.connect(ByteArrayCodec.INSTANCE), commandTimeout, server);
    } catch (RedisException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw new StateException("cannot connect to Redis at " + server + ": " + e.getMessage(), e);
    }
  }

  /** @return the server as "host:port/database", for messages */
  public String server() {
    return server;
  }

  /** @return the asynchronous commands of the shared connection */
  RedisAsyncCommands<byte[], byte[]> async() {
    return async;
  }

  /**
   * Waits for one command.
   *
   * @param future the command
   * @param what the operation, for the message
   * @param <T> the reply type
   * @return the reply
   * @throws StateException when it failed or timed out
   */
  <T> T await(RedisFuture<T> future, String what) {
    try {
      return future.get(timeoutMillis + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateException(what + " on Redis " + server + " was interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StateException(what + " failed on Redis " + server + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new StateException(what + " timed out on Redis " + server + " after " + timeoutMillis + " ms", e);
    }
  }

  /**
   * Waits for every command of a batch; the first failure is reported.
   *
   * @param futures the commands, issued together
   * @param what the operation, for the message
   * @throws StateException when one failed or timed out
   */
  void awaitAll(List<? extends RedisFuture<?>> futures, String what) {
    for (RedisFuture<?> f : futures) {
      await(f, what);
    }
  }

  /**
   * Runs a script and waits for its reply.
   *
   * @param script the script
   * @param type how its reply is read
   * @param keys the keys it declares
   * @param args its arguments
   * @param what the operation, for the message
   * @param <T> the reply type
   * @return the reply
   * @throws StateException when it failed (the script's own error message is kept) or timed out
   */
  <T> T eval(Script script, ScriptOutputType type, byte[][] keys, byte[][] args, String what) {
    try {
      return await(async.<T>evalsha(digest(script, what), type, keys, args), what);
    } catch (StateException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw e;
      }
      synchronized (digests) {
        digests.remove(script);
      }
      return await(async.<T>evalsha(digest(script, what), type, keys, args), what);
    }
  }

  private String digest(Script script, String what) {
    synchronized (digests) {
      String d = digests.get(script);
      if (d == null) {
        d = await(async.scriptLoad(script.source().getBytes(StandardCharsets.UTF_8)), what + " (loading a script)");
        digests.put(script, d);
      }
      return d;
    }
  }

  /** Closes the connection and releases the client's threads. */
  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
