package io.nip.serde;

/**
 * Turns values into bytes and back, for sources, sinks, state and checkpoints.
 *
 * <pre>{@code
 * Serde<UserEvent> serde = Serdes.json(UserEvent.class);
 * UserEvent e = serde.deserialize(bytes);   // throws SerializationException with the raw bytes
 * }</pre>
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
}
