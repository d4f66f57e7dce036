package io.nip.schema.internal;

import io.nip.errors.SerializationException;
import io.nip.event.Headers;
import io.nip.schema.SchemaHeaders;
import io.nip.serde.Serde;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Avro's single-object encoding (specification 1.12, "Single-object encoding"): the marker
 * {@code C3 01}, the writer schema's CRC-64-AVRO fingerprint of its parsing canonical form, 8 bytes
 * little-endian, then the Avro binary. Writes with the reader schema; reads any schema whose
 * fingerprint it was given. The fingerprint map is built once and only read: thread-safe.
 */
public final class AvroSingleObjectSerde<T> implements Serde<T> {
  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = (byte) 0x01;
  private static final int PREFIX = 10;

  private final AvroCodec<T> codec;
  private final Map<Long, Schema> schemas = new HashMap<>();
  private final byte[] prefix = new byte[PREFIX];
  private final Headers headers;

  /**
   * @param codec the model and reader schema
   * @param olderSchemas other writer schemas records may carry
   */
  public AvroSingleObjectSerde(AvroCodec<T> codec, List<Schema> olderSchemas) {
    this.codec = codec;
    long own = SchemaNormalization.parsingFingerprint64(codec.schema());
    schemas.put(own, codec.schema());
    for (Schema s : olderSchemas) {
      schemas.putIfAbsent(SchemaNormalization.parsingFingerprint64(s), s);
    }
    prefix[0] = MARKER_0;
    prefix[1] = MARKER_1;
    for (int i = 0; i < 8; i++) {
      prefix[2 + i] = (byte) (own >>> (8 * i));
    }
    this.headers = Headers.EMPTY.with(SchemaHeaders.CONTENT_TYPE, SchemaHeaders.AVRO_SINGLE_OBJECT)
        .with(SchemaHeaders.SCHEMA_ID, Long.toHexString(own));
  }

  @Override
  public byte[] serialize(T value) {
    if (value == null) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(prefix, 0, PREFIX);
    codec.write(value, out);
    return out.toByteArray();
  }

  @Override
  public T deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (bytes.length < PREFIX || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
      throw new SerializationException("not Avro single-object encoding (no C3 01 marker) for "
          + codec.schema().getFullName(), bytes, null);
    }
    long fingerprint = 0;
    for (int i = 0; i < 8; i++) {
      fingerprint |= (bytes[2 + i] & 0xFFL) << (8 * i);
    }
    Schema writer = schemas.get(fingerprint);
    if (writer == null) {
      throw new SerializationException("unknown Avro writer schema fingerprint " + Long.toHexString(fingerprint)
          + " (reader " + codec.schema().getFullName() + " knows " + schemas.size() + " schemas)", bytes, null);
    }
    return codec.read(bytes, PREFIX, writer);
  }

  @Override
  public Headers headers(T value) {
    return headers;
  }

  @Override
  public String toString() {
    return "avro.singleObject(" + codec.schema().getFullName() + ")";
  }
}
