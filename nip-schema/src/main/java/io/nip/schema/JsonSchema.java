package io.nip.schema;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import io.nip.errors.ConfigurationException;
import io.nip.errors.SerializationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON Schema (draft 2020-12 unless the schema's {@code $schema} names another draft), compiled
 * once by the networknt validator; {@code format} is asserted (a {@code date-time} that is no
 * date-time is a violation), not only annotated. Immutable and thread-safe.
 *
 * <pre>{@code
 * JsonSchema schema = JsonSchema.fromClasspath("/schemas/user-event.schema.json");
 * List<SchemaViolation> problems = schema.validate(bytes);   // empty when valid
 * }</pre>
 */
public final class JsonSchema {
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_PATH)
          .formatAssertionsEnabled(true).build()));
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final Schema schema;
  private final String name;

  private JsonSchema(Schema schema, String name) {
    this.schema = schema;
    this.name = name;
  }

  /**
   * @param schemaJson the schema document
   * @return the compiled schema, named by its {@code $id} (or {@code "inline"})
   * @throws ConfigurationException when the text is no valid schema
   */
  public static JsonSchema parse(String schemaJson) {
    Objects.requireNonNull(schemaJson, "schemaJson");
    JsonNode node;
    try {
      node = MAPPER.readTree(schemaJson);
    } catch (JacksonException e) {
      throw new ConfigurationException("schema", "not JSON: " + e.getOriginalMessage());
    }
    try {
      Schema s = REGISTRY.getSchema(node);
      String id = node.path("$id").asString("");
      return new JsonSchema(s, id.isEmpty() ? "inline" : id);
    } catch (RuntimeException e) {
      throw new ConfigurationException("schema", "not a valid JSON Schema: " + e.getMessage());
    }
  }

  /**
   * @param resource a class-path resource, e.g. {@code /schemas/analytics-event.schema.json}
   * @return the compiled schema
   * @throws ConfigurationException when the resource is missing or no valid schema
   */
  public static JsonSchema fromClasspath(String resource) {
    Objects.requireNonNull(resource, "resource");
    String path = resource.startsWith("/") ? resource : "/" + resource;
    try (InputStream in = JsonSchema.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new ConfigurationException("schema", "no class-path resource " + path);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigurationException("schema", "cannot read " + path + ": " + e.getMessage());
    }
  }

  /**
   * @param file a schema file
   * @return the compiled schema
   * @throws ConfigurationException when the file cannot be read or is no valid schema
   */
  public static JsonSchema fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigurationException("schema", "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** @return the schema's {@code $id}, or {@code "inline"} when it has none */
  public String name() {
    return name;
  }

  /**
   * @param json one JSON document, UTF-8
   * @return every violation, in the validator's order; empty when the document is valid
   * @throws SerializationException when the bytes are not JSON
   */
  public List<SchemaViolation> validate(byte[] json) {
    Objects.requireNonNull(json, "json");
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new SerializationException("not JSON: " + e.getOriginalMessage(), json, e);
    }
    if (node == null || node.isMissingNode()) {
      throw new SerializationException("not JSON: empty input", json, null);
    }
    List<Error> errors = schema.validate(node);
    if (errors.isEmpty()) {
      return List.of();
    }
    List<SchemaViolation> out = new ArrayList<>(errors.size());
    for (Error e : errors) {
      out.add(new SchemaViolation(String.valueOf(e.getInstanceLocation()), String.valueOf(e.getKeyword()),
          e.getMessage()));
    }
    return out;
  }

  /**
   * @param json one JSON document, UTF-8
   * @throws SchemaViolationException naming every violated path and keyword
   * @throws SerializationException when the bytes are not JSON
   */
  public void check(byte[] json) {
    List<SchemaViolation> v = validate(json);
    if (!v.isEmpty()) {
      throw new SchemaViolationException(name, v, json);
    }
  }

  @Override
  public String toString() {
    return "JsonSchema(" + name + ")";
  }
}
