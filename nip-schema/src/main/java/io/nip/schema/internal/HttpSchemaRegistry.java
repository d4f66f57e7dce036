package io.nip.schema.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.errors.ConnectorException;
import io.nip.schema.RegisteredSchema;
import io.nip.schema.SchemaRegistryClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of a Confluent-compatible schema registry over its REST API (JDK HTTP client, Jackson):
 * {@code POST /subjects/{subject}/versions} to register, {@code GET /schemas/ids/{id}} and
 * {@code GET /subjects/{subject}/versions/latest} to look up. Schemas by id never change in such a
 * registry, so they are cached for the client's life, as are the ids of registered texts; the
 * latest id of a subject is asked each time. Thread-safe (the caches are concurrent maps; the JDK
 * client is shared).
 */
public final class HttpSchemaRegistry implements SchemaRegistryClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final Map<Integer, RegisteredSchema> byId = new ConcurrentHashMap<>();
  private final Map<String, Integer> registered = new ConcurrentHashMap<>();

  /** @param baseUrl the registry's base URL, e.g. {@code http://localhost:8081} */
  public HttpSchemaRegistry(URI baseUrl) {
    String s = baseUrl.toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
  }

  @Override
  public int register(String subject, String schemaType, String schema) {
    String key = subject + "\n" + schemaType + "\n" + schema;
    Integer cached = registered.get(key);
    if (cached != null) {
      return cached;
    }
    ObjectNode body = MAPPER.createObjectNode().put("schema", schema);
    if (!RegisteredSchema.AVRO.equals(schemaType)) {
      body.put("schemaType", schemaType);
    }
    JsonNode reply = call(HttpRequest.newBuilder(base.resolve("subjects/" + encode(subject) + "/versions"))
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())), "register a schema under " + subject);
    if (reply == null || !reply.path("id").canConvertToInt()) {
      throw new ConnectorException("the schema registry " + base + " answered no id when registering under "
          + subject + ": " + reply);
    }
    int id = reply.get("id").asInt();
    registered.put(key, id);
    byId.putIfAbsent(id, new RegisteredSchema(id, schemaType, schema));
    return id;
  }

  @Override
  public Optional<RegisteredSchema> schema(int id) {
    RegisteredSchema cached = byId.get(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    JsonNode reply = call(HttpRequest.newBuilder(base.resolve("schemas/ids/" + id)).GET(), "look up schema id " + id);
    if (reply == null) {
      return Optional.empty();
    }
    RegisteredSchema s = new RegisteredSchema(id, reply.path("schemaType").asText(RegisteredSchema.AVRO),
        reply.path("schema").asText());
    byId.putIfAbsent(id, s);
    return Optional.of(s);
  }

  @Override
  public Optional<Integer> latestId(String subject) {
    JsonNode reply = call(HttpRequest.newBuilder(base.resolve("subjects/" + encode(subject) + "/versions/latest"))
        .GET(), "look up the latest schema of " + subject);
    return reply == null ? Optional.empty() : Optional.of(reply.path("id").asInt());
  }

  /** @return the reply's JSON, or null on 404; throws on any other failure */
  private JsonNode call(HttpRequest.Builder request, String what) {
    HttpRequest r = request.timeout(TIMEOUT).header("Content-Type", CONTENT_TYPE)
        .header("Accept", CONTENT_TYPE + ", application/json").build();
    HttpResponse<String> response;
    try {
      response = http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConnectorException("cannot " + what + ": the schema registry " + base + " is unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectorException("interrupted while trying to " + what + " at " + base, e);
    }
    if (response.statusCode() == 404) {
      return null;
    }
    if (response.statusCode() / 100 != 2) {
      throw new ConnectorException("cannot " + what + ": the schema registry " + base + " answered HTTP "
          + response.statusCode() + ": " + response.body());
    }
    try {
      return MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new ConnectorException("cannot " + what + ": the schema registry " + base + " answered no JSON: "
          + response.body(), e);
    }
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "HttpSchemaRegistry(" + base + ")";
  }
}
