package io.nip.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on 127.0.0.1 speaking the part of Confluent Schema Registry's REST API the
 * client uses (register, schema by id, latest of a subject; error bodies with {@code error_code}),
 * as its documentation describes it. Counts requests so tests can see the client's cache.
 */
final class RegistryServer implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern REGISTER = Pattern.compile("/subjects/([^/]+)/versions");
  private static final Pattern LATEST = Pattern.compile("/subjects/([^/]+)/versions/latest");
  private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(\\d+)");

  private final HttpServer server;
  private final Map<Integer, String[]> schemas = new LinkedHashMap<>(); // id -> {type, text}
  private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
  final AtomicInteger requests = new AtomicInteger();
  volatile String rejectSubject;

  RegistryServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private synchronized void handle(HttpExchange x) throws IOException {
    requests.incrementAndGet();
    String path = x.getRequestURI().getRawPath();
    Matcher m;
    if (x.getRequestMethod().equals("POST") && (m = REGISTER.matcher(path)).matches()) {
      String subject = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
      JsonNode body = MAPPER.readTree(x.getRequestBody());
      if (subject.equals(rejectSubject)) {
        reply(x, 409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema\"}");
        return;
      }
      String type = body.path("schemaType").asText("AVRO");
      String text = body.path("schema").asText();
      int id = schemas.entrySet().stream().filter(e -> e.getValue()[0].equals(type) && e.getValue()[1].equals(text))
          .map(Map.Entry::getKey).findFirst().orElse(schemas.size() + 1);
      schemas.putIfAbsent(id, new String[] {type, text});
      List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
      if (!versions.contains(id)) {
        versions.add(id);
      }
      reply(x, 200, "{\"id\":" + id + "}");
    } else if (x.getRequestMethod().equals("GET") && (m = BY_ID.matcher(path)).matches()) {
      String[] s = schemas.get(Integer.parseInt(m.group(1)));
      if (s == null) {
        reply(x, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        return;
      }
      var node = MAPPER.createObjectNode().put("schema", s[1]);
      if (!s[0].equals("AVRO")) {
        node.put("schemaType", s[0]);
      }
      reply(x, 200, node.toString());
    } else if (x.getRequestMethod().equals("GET") && (m = LATEST.matcher(path)).matches()) {
      String subject = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
      List<Integer> versions = subjects.get(subject);
      if (versions == null) {
        reply(x, 404, "{\"error_code\":40401,\"message\":\"Subject '" + subject + "' not found.\"}");
        return;
      }
      int id = versions.get(versions.size() - 1);
      reply(x, 200, MAPPER.createObjectNode().put("subject", subject).put("version", versions.size()).put("id", id)
          .put("schema", schemas.get(id)[1]).toString());
    } else {
      reply(x, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
    }
  }

  private static void reply(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
