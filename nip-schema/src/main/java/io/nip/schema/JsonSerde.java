package io.nip.schema;

import io.nip.event.Headers;
import io.nip.serde.Serde;
import java.util.Objects;

/**
 * A JSON serde that can check each record against a {@link JsonSchema} before binding it: a record
 * that breaks the schema throws {@link SchemaViolationException} (paths and keywords in its
 * message), which a source hands to the pipeline's error policy — with
 * {@code ErrorPolicy.deadLetter(..)} it becomes a dead letter with the raw bytes and the reason, and
 * the pipeline goes on. Values it writes carry {@code content-type: application/json} and, when
 * validated, {@code nip.schema.id: <the schema's $id>} ({@link #headers}).
 *
 * <pre>{@code
 * Serde<UserEvent> serde = SchemaSerdes.json(UserEvent.class)
 *     .validatedBy(JsonSchema.fromClasspath("/schemas/user-event.schema.json"));
 * }</pre>
 *
 * <p>Writing is not validated: the schema is the input contract. Thread-safe when the bound serde is.
 *
 * @param <T> the value type
 */
public final class JsonSerde<T> implements Serde<T> {
  private final Serde<T> binder;
  private final JsonSchema schema;
  private final Headers headers;

  JsonSerde(Serde<T> binder, JsonSchema schema) {
    this.binder = binder;
    this.schema = schema;
    Headers h = Headers.EMPTY.with(SchemaHeaders.CONTENT_TYPE, SchemaHeaders.JSON);
    this.headers = schema == null ? h : h.with(SchemaHeaders.SCHEMA_ID, schema.name());
  }

  /**
   * @param jsonSchema the schema every record read must satisfy
   * @return a serde that validates, then binds as this one does
   */
  public JsonSerde<T> validatedBy(JsonSchema jsonSchema) {
    return new JsonSerde<>(binder, Objects.requireNonNull(jsonSchema, "jsonSchema"));
  }

  /** @return the schema records are checked against, or null when none */
  public JsonSchema schema() {
    return schema;
  }

  @Override
  public byte[] serialize(T value) {
    return binder.serialize(value);
  }

  /**
   * @throws SchemaViolationException when a schema is set and the record breaks it
   * @throws io.nip.errors.SerializationException when the bytes are not JSON or do not bind
   */
  @Override
  public T deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (schema != null) {
      schema.check(bytes);
    }
    return binder.deserialize(bytes);
  }

  @Override
  public Headers headers(T value) {
    return headers;
  }

  @Override
  public String toString() {
    return schema == null ? binder.toString() : binder + ".validatedBy(" + schema.name() + ")";
  }
}
