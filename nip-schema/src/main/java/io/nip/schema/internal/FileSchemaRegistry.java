package io.nip.schema.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.errors.ConnectorException;
import io.nip.schema.RegisteredSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory registry persisted as one JSON file:
 * {@code {"schemas":[{"id":1,"schemaType":"AVRO","schema":"..."}],"subjects":{"s":[1,2]}}}.
 * The file is re-read before each registration and after each lookup that misses, so that
 * processes sharing it see each other's schemas; it is written to a temporary file and moved over
 * the old one, so a reader never sees half a file. Not a lock between processes: two processes
 * registering at the same moment may both take the same new id (documented limit).
 */
public final class FileSchemaRegistry extends InMemorySchemaRegistry {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Path file;

  /**
   * @param file the registry file; created at the first registration when missing
   */
  public FileSchemaRegistry(Path file) {
    this.file = file;
    synchronized (this) {
      reload();
    }
  }

  @Override
  protected boolean reload() {
    if (!Files.exists(file)) {
      return false;
    }
    try {
      JsonNode root = MAPPER.readTree(file.toFile());
      Map<Integer, RegisteredSchema> schemas = new LinkedHashMap<>();
      for (JsonNode s : root.path("schemas")) {
        schemas.put(s.get("id").asInt(), new RegisteredSchema(s.get("id").asInt(), s.get("schemaType").asText(),
            s.get("schema").asText()));
      }
      Map<String, List<Integer>> subjects = new LinkedHashMap<>();
      root.path("subjects").properties().forEach(e -> {
        List<Integer> ids = new ArrayList<>();
        e.getValue().forEach(id -> ids.add(id.asInt()));
        subjects.put(e.getKey(), ids);
      });
      replace(schemas, subjects);
      return true;
    } catch (IOException | RuntimeException e) {
      throw new ConnectorException("cannot read the schema registry file " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected void afterChange() {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode schemas = root.putArray("schemas");
    for (RegisteredSchema s : schemas().values()) {
      schemas.addObject().put("id", s.id()).put("schemaType", s.schemaType()).put("schema", s.schema());
    }
    ObjectNode subjects = root.putObject("subjects");
    subjects().forEach((k, ids) -> {
      ArrayNode a = subjects.putArray(k);
      ids.forEach(a::add);
    });
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ConnectorException("cannot write the schema registry file " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "FileSchemaRegistry(" + file + ")";
  }
}
