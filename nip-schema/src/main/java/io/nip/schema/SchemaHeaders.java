package io.nip.schema;

/**
 * Names of the record headers the schema serdes write ({@link io.nip.serde.Serde#headers}) and read
 * ({@link io.nip.serde.Serde#deserialize(byte[], io.nip.event.Headers)}), with UTF-8 text values.
 *
 * <pre>{@code
 * String type = record.headers().lastString(SchemaHeaders.CONTENT_TYPE);   // "application/json"
 * }</pre>
 */
public final class SchemaHeaders {
  /** The media type of the value bytes, e.g. {@code application/json}, {@code application/avro}. */
  public static final String CONTENT_TYPE = "content-type";
  /**
   * The schema the bytes were written with: a registry id (Confluent wire format), an Avro
   * fingerprint in hex (single-object encoding), a JSON Schema {@code $id} or a Protobuf message name.
   */
  public static final String SCHEMA_ID = "nip.schema.id";
  /** The event version, a decimal integer, when a {@link VersionedSerde} carries it in a header. */
  public static final String EVENT_VERSION = "nip.event.version";

  /** {@code application/json}. */
  public static final String JSON = "application/json";
  /** {@code application/avro}: Avro binary without any prefix (the reader knows the writer schema). */
  public static final String AVRO = "application/avro";
  /** {@code application/vnd.apache.avro.single-object}: Avro single-object encoding (C3 01 + fingerprint). */
  public static final String AVRO_SINGLE_OBJECT = "application/vnd.apache.avro.single-object";
  /** {@code application/vnd.confluent.avro}: magic byte 0, a 4-byte schema id, Avro binary. */
  public static final String AVRO_CONFLUENT = "application/vnd.confluent.avro";
  /** {@code application/x-protobuf}. */
  public static final String PROTOBUF = "application/x-protobuf";

  private SchemaHeaders() {}
}
