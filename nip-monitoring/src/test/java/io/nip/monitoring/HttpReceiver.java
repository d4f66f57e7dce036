package io.nip.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP receiver for the alert channels' tests: the JDK's server on 127.0.0.1 and an
 * ephemeral port, recording every request and answering with scripted statuses (then a default).
 */
final class HttpReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received. */
  record Request(String method, String path, Map<String, String> headers, String body) {
    String contentType() {
      return header("Content-Type");
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }

  private final HttpServer server;
  private final Deque<Integer> script = new ArrayDeque<>();
  private final int otherwise;
  private volatile boolean echo;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private HttpReceiver(int otherwise, int... first) throws IOException {
    this.otherwise = otherwise;
    for (int s : first) {
      script.add(s);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, body));
        int status;
        synchronized (script) {
          status = script.isEmpty() ? otherwise : script.poll();
        }
        String text = echo ? body : status / 100 == 2 ? "ok" : "failure " + status;
        byte[] answer = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
      }
    });
    server.start();
  }

  /**
   * @param otherwise the status answered once the script is used up
   * @param first the statuses of the first requests, in order
   */
  static HttpReceiver start(int otherwise, int... first) {
    try {
      return new HttpReceiver(otherwise, first);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Answers with the request's own body from now on, as some receivers quote what they reject. */
  HttpReceiver echoing() {
    this.echo = true;
    return this;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
