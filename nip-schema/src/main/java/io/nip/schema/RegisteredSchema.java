package io.nip.schema;

import java.util.Objects;

/**
 * A schema as a registry holds it.
 *
 * <pre>{@code
 * RegisteredSchema s = registry.schema(42).orElseThrow();
 * Schema avro = new Schema.Parser().parse(s.schema());
 * }</pre>
 *
 * @param id the registry-wide id (the Confluent wire format's 4-byte id)
 * @param schemaType {@code AVRO}, {@code PROTOBUF} or {@code JSON}, as Confluent names them
 * @param schema the schema text (Avro JSON, a .proto file, a JSON Schema)
 */
public record RegisteredSchema(int id, String schemaType, String schema) {

  /** Schema type of Avro schemas (Confluent's default when a request names none). */
  public static final String AVRO = "AVRO";
  /** Schema type of Protobuf schemas. */
  public static final String PROTOBUF = "PROTOBUF";
  /** Schema type of JSON Schemas. */
  public static final String JSON = "JSON";

  /** Checks the parts. */
  public RegisteredSchema {
    Objects.requireNonNull(schemaType, "schemaType");
    Objects.requireNonNull(schema, "schema");
  }
}
