package io.nip.jdbc.transactional.internal;

import io.nip.event.Headers;
import java.util.Objects;

/**
 * A Kafka record written to the outbox by an event's transaction, not numbered yet.
 *
 * <p>Design: the value bytes are what the relay sends as they are; serialization happened when the
 * handler emitted it, so a serialization failure is the handler's failure and rolls the event back.
 *
 * @param topic the target topic
 * @param key the key bytes, or null
 * @param value the value bytes, or null (a tombstone)
 * @param headers the headers, never null
 */
public record OutboxRecord(String topic, byte[] key, byte[] value, Headers headers) {
  /** Checks the topic and replaces null headers by {@link Headers#EMPTY}. */
  public OutboxRecord {
    Objects.requireNonNull(topic, "topic");
    headers = headers == null ? Headers.EMPTY : headers;
  }
}
