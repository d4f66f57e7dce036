package io.nip.schema;

import io.nip.schema.internal.FileSchemaRegistry;
import io.nip.schema.internal.HttpSchemaRegistry;
import io.nip.schema.internal.InMemorySchemaRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the Confluent wire format's schema ids come from: schemas registered under subjects, each
 * with a registry-wide id. Three implementations: {@link #inMemory()} (tests, one JVM),
 * {@link #file(Path)} (a JSON file shared by the processes of one machine) and {@link #http(URI)}
 * (a Confluent-compatible registry over its REST API). Implementations cache by id and are
 * thread-safe.
 *
 * <pre>{@code
 * SchemaRegistryClient registry = SchemaRegistryClient.http(URI.create("http://localhost:8081"));
 * Serde<GenericRecord> serde = AvroSerdes.confluent(schema, registry, "user-events-value");
 * }</pre>
 */
public interface SchemaRegistryClient {

  /**
   * Registers a schema under a subject, or finds it when the subject already has it.
   *
   * @param subject e.g. {@code user-events-value} (Confluent's topic-name strategy)
   * @param schemaType {@code AVRO}, {@code PROTOBUF} or {@code JSON} ({@link RegisteredSchema})
   * @param schema the schema text
   * @return the schema's id, the same for the same schema text
   * @throws io.nip.errors.ConnectorException when the registry cannot be reached or refuses it
   *     (e.g. an incompatible schema), with the registry's message
   */
  int register(String subject, String schemaType, String schema);

  /**
   * @param id a schema id
   * @return the schema, or empty when the registry knows no such id
   * @throws io.nip.errors.ConnectorException when the registry cannot be reached
   */
  Optional<RegisteredSchema> schema(int id);

  /**
   * @param subject a subject
   * @return the id of the subject's latest schema, or empty when the subject has none
   * @throws io.nip.errors.ConnectorException when the registry cannot be reached
   */
  Optional<Integer> latestId(String subject);

  /** @return a registry held in this JVM's memory, empty at first; ids count from 1 */
  static SchemaRegistryClient inMemory() {
    return new InMemorySchemaRegistry();
  }

  /**
   * A registry kept in one JSON file (created when missing), re-read before each lookup that misses
   * and rewritten atomically on each new registration; safe for the processes of one machine that
   * share the file, as long as they do not register at the same moment.
   *
   * @param file the file
   * @return the registry
   * @throws io.nip.errors.ConnectorException when the file exists but cannot be read
   */
  static SchemaRegistryClient file(Path file) {
    return new FileSchemaRegistry(Objects.requireNonNull(file, "file"));
  }

  /**
   * A client of a Confluent-compatible registry: {@code POST /subjects/{subject}/versions},
   * {@code GET /schemas/ids/{id}}, {@code GET /subjects/{subject}/versions/latest}; ids are cached.
   *
   * @param baseUrl e.g. {@code http://localhost:8081}
   * @return the client
   */
  static SchemaRegistryClient http(URI baseUrl) {
    return new HttpSchemaRegistry(Objects.requireNonNull(baseUrl, "baseUrl"));
  }
}
