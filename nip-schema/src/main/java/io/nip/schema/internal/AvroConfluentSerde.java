package io.nip.schema.internal;

import io.nip.errors.SerializationException;
import io.nip.event.Headers;
import io.nip.schema.RegisteredSchema;
import io.nip.schema.SchemaHeaders;
import io.nip.schema.SchemaRegistryClient;
import io.nip.serde.Serde;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The Confluent wire format: magic byte {@code 0}, the writer schema's registry id as a 4-byte
 * big-endian integer, then the Avro binary. The reader schema is registered under the subject at
 * the first write (and its id kept); writer schemas are fetched by id at the first record that
 * carries it and kept. A registry that cannot be reached throws {@code ConnectorException}, which a
 * source hands to the error policy like any failure to read a record. Thread-safe: the id and the
 * schema cache are set idempotently.
 */
public final class AvroConfluentSerde<T> implements Serde<T> {
  private static final byte MAGIC = 0;
  private static final int PREFIX = 5;

  private final AvroCodec<T> codec;
  private final SchemaRegistryClient registry;
  private final String subject;
  private final Map<Integer, Schema> writers = new ConcurrentHashMap<>();
  private volatile int id = -1;
  private volatile Headers headers;

  /**
   * @param codec the model and reader schema
   * @param registry the registry
   * @param subject where the reader schema is registered when writing
   */
  public AvroConfluentSerde(AvroCodec<T> codec, SchemaRegistryClient registry, String subject) {
    this.codec = codec;
    this.registry = registry;
    this.subject = subject;
  }

  @Override
  public byte[] serialize(T value) {
    if (value == null) {
      return null;
    }
    int schemaId = ownId();
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(MAGIC);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
    codec.write(value, out);
    return out.toByteArray();
  }

  private int ownId() {
    int i = id;
    if (i < 0) {
      i = registry.register(subject, RegisteredSchema.AVRO, codec.schema().toString());
      writers.putIfAbsent(i, codec.schema());
      headers = Headers.EMPTY.with(SchemaHeaders.CONTENT_TYPE, SchemaHeaders.AVRO_CONFLUENT)
          .with(SchemaHeaders.SCHEMA_ID, Integer.toString(i));
      id = i;
    }
    return i;
  }

  @Override
  public T deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (bytes.length < PREFIX || bytes[0] != MAGIC) {
      throw new SerializationException("not the Confluent wire format (magic byte 0, 4-byte schema id) for "
          + codec.schema().getFullName(), bytes, null);
    }
    int schemaId = ((bytes[1] & 0xFF) << 24) | ((bytes[2] & 0xFF) << 16) | ((bytes[3] & 0xFF) << 8) | (bytes[4] & 0xFF);
    Schema writer = writers.get(schemaId);
    if (writer == null) {
      writer = fetch(schemaId, bytes);
    }
    return codec.read(bytes, PREFIX, writer);
  }

  private Schema fetch(int schemaId, byte[] bytes) {
    RegisteredSchema s = registry.schema(schemaId).orElseThrow(() -> new SerializationException(
        "unknown schema id " + schemaId + " in " + registry + " (reading " + codec.schema().getFullName() + ")",
        bytes, null));
    if (!RegisteredSchema.AVRO.equals(s.schemaType())) {
      throw new SerializationException("schema id " + schemaId + " is a " + s.schemaType() + " schema, not Avro",
          bytes, null);
    }
    Schema parsed;
    try {
      parsed = new Schema.Parser().parse(s.schema());
    } catch (SchemaParseException e) {
      throw new SerializationException("schema id " + schemaId + " is no valid Avro schema: " + e.getMessage(),
          bytes, e);
    }
    Schema prev = writers.putIfAbsent(schemaId, parsed);
    return prev != null ? prev : parsed;
  }

  @Override
  public Headers headers(T value) {
    if (headers == null) {
      ownId();
    }
    return headers;
  }

  @Override
  public String toString() {
    return "avro.confluent(" + codec.schema().getFullName() + ", " + subject + ")";
  }
}
