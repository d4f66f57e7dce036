package io.nip.monitoring.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nip.errors.ConfigurationException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server (the JDK's {@code com.sun.net.httpserver}) that answers GET and HEAD on a
 * few fixed paths, each with a body made when it is asked for. It serves the Prometheus scrape
 * output and {@code /health}; one daemon thread answers the requests in turn, which is enough for
 * scrapers and probes and keeps the answers of one endpoint ordered.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

  /**
   * An answer.
   *
   * @param status the HTTP status code
   * @param contentType the Content-Type header
   * @param body the body, UTF-8
   */
  public record Response(int status, String contentType, String body) {}

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts a server.
   *
   * @param name names the serving thread and log lines
   * @param address where to listen (port 0: any free port)
   * @param routes the answer of each path
   * @return the running server
   * @throws ConfigurationException when the address cannot be bound
   */
  public static HttpEndpoint start(String name, InetSocketAddress address, Map<String, Supplier<Response>> routes) {
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new ConfigurationException("address of " + name, "cannot listen on " + address + ": " + e);
    }
    routes.forEach((path, answer) -> server.createContext(path, exchange -> answer(exchange, path, answer)));
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "nip-" + name + "-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    LOG.debug("{} serves {} on {}", name, routes.keySet(), server.getAddress());
    return new HttpEndpoint(server, executor);
  }

  private static void answer(HttpExchange exchange, String path, Supplier<Response> answer) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      Response r;
      if (!exchange.getRequestURI().getPath().equals(path)) {
        r = new Response(404, "text/plain; charset=utf-8", "not found\n");
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        r = new Response(405, "text/plain; charset=utf-8", "only GET and HEAD\n");
      } else {
        r = answer.get();
      }
      byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", r.contentType());
      boolean head = method.equals("HEAD");
      exchange.sendResponseHeaders(r.status(), head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("answering {} failed", path, e);
      throw e;
    }
  }

  /** @return the bound address (with the port chosen when 0 was asked for) */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops serving at once and releases the port and the thread. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
