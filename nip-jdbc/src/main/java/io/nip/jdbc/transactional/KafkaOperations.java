package io.nip.jdbc.transactional;

import io.nip.event.Headers;
import io.nip.serde.Serde;

/**
 * The Kafka side of a {@link Transaction}: records emitted here are written, in the transaction's
 * PostgreSQL commit, to the processor's outbox table; the processor's relay then sends them to Kafka
 * in a Kafka transaction. They become visible to {@code read_committed} consumers once the relay has
 * committed them, each exactly once, in the order they were emitted (per processor, across events).
 *
 * <pre>{@code
 * tx.kafka().emit("results", orderId, "{\"total\": 42}");
 * tx.kafka().emit("results", orderId, order, Serdes.json(Order.class));
 * }</pre>
 *
 * <p>The target topics must exist. Use it on the thread that runs the handler (or holds the
 * explicit transaction) only.
 */
public interface KafkaOperations {

  /**
   * @param topic the target topic
   * @param key the key, sent as UTF-8 (it picks the partition), or null
   * @param value the value, sent as UTF-8, or null for a tombstone
   */
  void emit(String topic, String key, String value);

  /**
   * @param topic the target topic
   * @param key the key, sent as UTF-8, or null
   * @param value the value, or null
   * @param serde turns the value into bytes, now (a failure is the handler's failure)
   * @param <T> the value type
   */
  <T> void emit(String topic, String key, T value, Serde<T> serde);

  /**
   * @param topic the target topic
   * @param key the key, sent as UTF-8, or null
   * @param value the value bytes as they are, or null
   * @param headers the record's headers, in order
   */
  void emit(String topic, String key, byte[] value, Headers headers);
}
