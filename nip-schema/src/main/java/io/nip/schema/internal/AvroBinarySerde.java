package io.nip.schema.internal;

import io.nip.event.Headers;
import io.nip.schema.SchemaHeaders;
import io.nip.serde.Serde;
import java.io.ByteArrayOutputStream;
import org.apache.avro.Schema;

/**
 * Bare Avro binary: no prefix, so the writer schema is fixed when the serde is made. Thread-safe
 * (see {@link AvroCodec}).
 */
public final class AvroBinarySerde<T> implements Serde<T> {
  private static final Headers HEADERS = Headers.EMPTY.with(SchemaHeaders.CONTENT_TYPE, SchemaHeaders.AVRO);
  private final AvroCodec<T> codec;
  private final Schema writerSchema;

  /**
   * @param codec the model and reader schema
   * @param writerSchema the schema the bytes read were written with
   */
  public AvroBinarySerde(AvroCodec<T> codec, Schema writerSchema) {
    this.codec = codec;
    this.writerSchema = writerSchema;
  }

  @Override
  public byte[] serialize(T value) {
    if (value == null) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    codec.write(value, out);
    return out.toByteArray();
  }

  @Override
  public T deserialize(byte[] bytes) {
    return bytes == null ? null : codec.read(bytes, 0, writerSchema);
  }

  @Override
  public Headers headers(T value) {
    return HEADERS;
  }

  @Override
  public String toString() {
    return "avro.binary(" + codec.schema().getFullName() + ")";
  }
}
