package io.nip.schema;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.util.Objects;

/**
 * Entry point of schema-checked JSON: {@code SchemaSerdes.json(type).validatedBy(schema)}.
 *
 * <pre>{@code
 * Serde<UserEvent> serde = SchemaSerdes.json(UserEvent.class).validatedBy(schema);
 * Serde<AnalyticsEvent> strict = SchemaSerdes.json(new AnalyticsEventSerde()).validatedBy(schema);
 * }</pre>
 *
 * <p>Why not {@code Serdes.json(type).validatedBy(schema)} in nip-core: {@code Serdes.json} returns
 * the plain {@link Serde} interface, and giving it a {@code validatedBy} would make nip-core depend
 * on a JSON Schema validator (and its Jackson 3) that most pipelines never use. This module wraps
 * the same Jackson binding ({@link Serdes#json(Class)}, same mapper and settings) instead.
 *
 * <p>See {@link AvroSerdes}, {@link ProtobufSerdes} and {@link VersionedSerde} for the other formats.
 */
public final class SchemaSerdes {
  private SchemaSerdes() {}

  /**
   * @param type the record or class JSON objects bind to
   * @param <T> the value type
   * @return {@link Serdes#json(Class)}, ready for {@link JsonSerde#validatedBy}
   */
  public static <T> JsonSerde<T> json(Class<T> type) {
    return new JsonSerde<>(Serdes.json(Objects.requireNonNull(type, "type")), null);
  }

  /**
   * @param type a generic type, e.g. {@code new TypeReference<Map<String, Object>>() {}}
   * @param <T> the value type
   * @return {@link Serdes#json(TypeReference)}, ready for {@link JsonSerde#validatedBy}
   */
  public static <T> JsonSerde<T> json(TypeReference<T> type) {
    return new JsonSerde<>(Serdes.json(Objects.requireNonNull(type, "type")), null);
  }

  /**
   * Any JSON serde (e.g. a hand-written strict parser) behind a schema check.
   *
   * @param jsonSerde reads and writes the JSON
   * @param <T> the value type
   * @return the serde, ready for {@link JsonSerde#validatedBy}
   */
  public static <T> JsonSerde<T> json(Serde<T> jsonSerde) {
    return new JsonSerde<>(Objects.requireNonNull(jsonSerde, "jsonSerde"), null);
  }
}
