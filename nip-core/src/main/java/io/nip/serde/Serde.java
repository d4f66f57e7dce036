package io.nip.serde;

import io.nip.event.Headers;

/**
 * Turns values into bytes and back, for sources, sinks, state and checkpoints.
 *
 * <pre>{@code
 * Serde<UserEvent> serde = Serdes.json(UserEvent.class);
 * UserEvent e = serde.deserialize(bytes);   // throws SerializationException with the raw bytes
 * }</pre>
 *
 * <p>A serde whose format travels partly in record headers (a content type, a schema id, an event
 * version) overrides {@link #deserialize(byte[], Headers)} and {@link #headers(Object)}; sources
 * and sinks that carry headers (Kafka) call those two, the others the header-less forms.
 *
 * @param <T> the value type
 */
public interface Serde<T> {

  /**
   * @param value the value, may be null
   * @return its bytes, or null for a null value
   * @throws io.nip.errors.SerializationException when the value cannot be written
   */
  byte[] serialize(T value);

  /**
   * @param bytes the bytes, may be null
   * @return the value, or null for null bytes
   * @throws io.nip.errors.SerializationException with the raw bytes and the reason
   */
  T deserialize(byte[] bytes);

  /**
   * Reads a record whose headers are known. Sources with headers (Kafka) call this form; the
   * default ignores the headers.
   *
   * @param bytes the bytes, may be null
   * @param headers the record's headers, {@link Headers#EMPTY} when none; never null
   * @return the value, or null for null bytes
   * @throws io.nip.errors.SerializationException with the raw bytes and the reason
   */
  default T deserialize(byte[] bytes, Headers headers) {
    return deserialize(bytes);
  }

  /**
   * The headers a record written by {@link #serialize} carries to describe its bytes, e.g.
   * {@code content-type} and a schema id; sinks with headers (Kafka) add them after the record's
   * own. Called after {@code serialize(value)}.
   *
   * @param value the value just serialized, not null
   * @return the headers to add, {@link Headers#EMPTY} (the default) when none
   */
  default Headers headers(T value) {
    return Headers.EMPTY;
  }
}
