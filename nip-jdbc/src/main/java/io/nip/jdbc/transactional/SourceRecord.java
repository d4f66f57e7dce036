package io.nip.jdbc.transactional;

import io.nip.event.Headers;
import java.time.Instant;
import java.util.Objects;

/**
 * One record of the processor's source topics, as its handler sees it.
 *
 * <pre>{@code
 * processor.transactional((event, tx) -> tx.database().update("INSERT INTO seen VALUES (?)", event.key()));
 * }</pre>
 *
 * @param topic the source topic
 * @param partition the partition of that topic
 * @param offset the record's offset in the partition; the processor stores {@code offset + 1} as
 *     the partition's position in the event's transaction
 * @param key the key as UTF-8 text, or null when the record has none
 * @param value the value, deserialized with the processor's serde (null for a tombstone)
 * @param headers the record's headers, {@link Headers#EMPTY} when none
 * @param timestamp the record's Kafka timestamp
 * @param <V> the value type
 */
public record SourceRecord<V>(String topic, int partition, long offset, String key, V value, Headers headers,
    Instant timestamp) {
  /** Checks topic, headers and timestamp are not null. */
  public SourceRecord {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
