package io.nip.serde;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.nip.serde.internal.JsonSerde;
import io.nip.serde.internal.StringSerde;
import java.util.Map;
import java.util.Objects;

/**
 * Ready-made serdes: UTF-8 strings, raw bytes, and JSON through Jackson with {@code java.time}
 * support (instants as ISO-8601 text).
 *
 * <pre>{@code
 * Serde<UserEvent> events = Serdes.json(UserEvent.class);
 * Serde<Map<String, Object>> maps = Serdes.jsonMap();
 * }</pre>
 */
public final class Serdes {
  private static final ObjectMapper MAPPER = newObjectMapper();
  private static final Serde<byte[]> BYTES = new Serde<>() {
    @Override
    public byte[] serialize(byte[] value) {
      return value;
    }

    @Override
    public byte[] deserialize(byte[] bytes) {
      return bytes;
    }
  };

  private Serdes() {}

  /** @return a serde for UTF-8 text */
  public static Serde<String> string() {
    return StringSerde.INSTANCE;
  }

  /** @return a serde that passes bytes through unchanged */
  public static Serde<byte[]> bytes() {
    return BYTES;
  }

  /**
   * @param type the record or class to map JSON objects to
   * @param <T> the value type
   * @return a JSON serde for that type
   */
  public static <T> Serde<T> json(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return new JsonSerde<>(MAPPER, MAPPER.constructType(type));
  }

  /**
   * @param type a generic type, e.g. {@code new TypeReference<List<Long>>() {}}
   * @param <T> the value type
   * @return a JSON serde for that type
   */
  public static <T> Serde<T> json(TypeReference<T> type) {
    Objects.requireNonNull(type, "type");
    JavaType javaType = MAPPER.constructType(type);
    return new JsonSerde<>(MAPPER, javaType);
  }

  /** @return a JSON serde for objects as {@code Map<String, Object>} */
  public static Serde<Map<String, Object>> jsonMap() {
    return json(new TypeReference<Map<String, Object>>() {});
  }

  /**
   * The shared, configured mapper: java.time module, ISO-8601 instants, unknown properties
   * ignored. Do not reconfigure it; copy it ({@code objectMapper().copy()}) to change settings.
   *
   * @return the mapper used by {@link #json}
   */
  public static ObjectMapper objectMapper() {
    return MAPPER;
  }

  private static ObjectMapper newObjectMapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.registerModule(new JavaTimeModule());
    mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
    return mapper;
  }
}
