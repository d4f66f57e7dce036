package io.nip.schema.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.nip.errors.SerializationException;
import io.nip.event.Headers;
import io.nip.schema.SchemaHeaders;
import io.nip.serde.Serde;

/**
 * A generated message's wire format through its own parser (which keeps unknown fields).
 * Thread-safe: generated parsers and messages are immutable.
 */
public final class ProtobufSerde<M extends Message> implements Serde<M> {
  private final Parser<M> parser;
  private final String name;
  private final Headers headers;

  /** @param prototype the message's default instance */
  @SuppressWarnings("unchecked")
  public ProtobufSerde(M prototype) {
    this.parser = (Parser<M>) prototype.getParserForType();
    this.name = prototype.getDescriptorForType().getFullName();
    this.headers = Headers.EMPTY.with(SchemaHeaders.CONTENT_TYPE, SchemaHeaders.PROTOBUF)
        .with(SchemaHeaders.SCHEMA_ID, name);
  }

  @Override
  public byte[] serialize(M value) {
    return value == null ? null : value.toByteArray();
  }

  @Override
  public M deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new SerializationException("not a " + name + " Protobuf message: " + e.getMessage(), bytes, e);
    }
  }

  @Override
  public Headers headers(M value) {
    return headers;
  }

  @Override
  public String toString() {
    return "protobuf(" + name + ")";
  }
}
