package io.nip.serde.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import java.io.IOException;

/**
 * JSON through Jackson. Reader and writer are resolved once for the target type, so each call is
 * only the parse or the write. Thread-safe (Jackson readers and writers are immutable).
 */
public final class JsonSerde<T> implements Serde<T> {
  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final JavaType type;

  /**
   * @param mapper configured mapper
   * @param type target type
   */
  public JsonSerde(ObjectMapper mapper, JavaType type) {
    this.type = type;
    this.reader = mapper.readerFor(type);
    this.writer = mapper.writerFor(type);
  }

  @Override
  public byte[] serialize(T value) {
    if (value == null) {
      return null;
    }
    try {
      return writer.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new SerializationException(
          "cannot write " + value.getClass().getName() + " as JSON: " + e.getMessage(), null, e);
    }
  }

  @Override
  public T deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      T value = reader.readValue(bytes);
      if (value == null) {
        throw new SerializationException("JSON 'null' where " + type.toCanonical() + " was expected", bytes, null);
      }
      return value;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SerializationException(
          "not a valid " + type.getRawClass().getSimpleName() + " JSON value: " + e.getOriginalMessage(), bytes, e);
    } catch (IOException e) {
      throw new SerializationException("cannot read JSON: " + e.getMessage(), bytes, e);
    }
  }

  @Override
  public String toString() {
    return "json(" + type.toCanonical() + ")";
  }
}
