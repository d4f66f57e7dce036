package io.nip.source;

import io.nip.event.Headers;

/**
 * Receives what a {@link SourceReader} reads, pushing each record straight into the task's fused
 * operator chain. A record carries an envelope: key, headers, raw bytes, position and source
 * timestamp. The timestamp parameters are epoch milliseconds because this is the per-record hot
 * path of every connector; public DSL signatures use {@link java.time.Instant}.
 *
 * <p>Two full forms exist: one with a primitive {@code long} offset, which allocates nothing per
 * record (Kafka offsets, line numbers), and one with a {@link SourcePosition} for anything else
 * (Kinesis sequence numbers, Pub/Sub ack ids). The shorter forms keep simple readers short.
 *
 * <pre>{@code
 * output.emit(value, keyBytes, headers, valueBytes, record.offset(), record.timestamp());
 * output.emit(value, null, Headers.EMPTY, null, SourcePosition.ofString(sequenceNumber), arrivalMillis);
 * }</pre>
 *
 * @param <T> the value type
 */
public interface SourceOutput<T> {

  /** Timestamp value meaning "the source has no timestamp for this record". */
  long NO_TIMESTAMP = Long.MIN_VALUE;

  /**
   * A record without key, headers or source timestamp.
   *
   * @param value the record, not null
   * @param position the record's offset in its partition, at least 0
   */
  default void emit(T value, long position) {
    emit(value, null, Headers.EMPTY, null, position, NO_TIMESTAMP);
  }

  /**
   * A record without key or headers.
   *
   * @param value the record, not null
   * @param rawBytes the source bytes of the record (kept for dead letters), or null
   * @param position the record's offset in its partition, at least 0
   * @param sourceTimestampMillis the source's timestamp (e.g. Kafka record time), or NO_TIMESTAMP
   */
  default void emit(T value, byte[] rawBytes, long position, long sourceTimestampMillis) {
    emit(value, null, Headers.EMPTY, rawBytes, position, sourceTimestampMillis);
  }

  /**
   * A record at an offset: the allocation-free form.
   *
   * @param value the record, not null
   * @param key the record's key as the source gives it (e.g. Kafka key bytes, or what a key serde
   *     made of them), or null; downstream, {@code keyBy} replaces it
   * @param headers the record's headers, {@link Headers#EMPTY} (or null) when none
   * @param rawBytes the source bytes of the value (kept for dead letters), or null
   * @param offset the record's offset in its partition, at least 0
   * @param sourceTimestampMillis the source's timestamp, epoch millis, or NO_TIMESTAMP
   */
  void emit(T value, Object key, Headers headers, byte[] rawBytes, long offset, long sourceTimestampMillis);

  /**
   * A record at any kind of position.
   *
   * @param value the record, not null
   * @param key the record's key as the source gives it, or null
   * @param headers the record's headers, {@link Headers#EMPTY} (or null) when none
   * @param rawBytes the source bytes of the value, or null
   * @param position the record's position in its partition, not null
   * @param sourceTimestampMillis the source's timestamp, epoch millis, or NO_TIMESTAMP
   */
  void emit(T value, Object key, Headers headers, byte[] rawBytes, SourcePosition position,
      long sourceTimestampMillis);

  /**
   * A record at an offset could not be read (e.g. it does not deserialize). The runtime applies
   * the error policy: skip, dead-letter with the raw bytes, or fail.
   *
   * @param rawBytes the bytes that failed, or null
   * @param position the record's offset in its partition, at least 0
   * @param error the reason
   */
  default void fail(byte[] rawBytes, long position, Throwable error) {
    fail(rawBytes, SourcePosition.ofOffset(position), error);
  }

  /**
   * A record at an offset could not be read; as {@link #fail(byte[], long, Throwable)}, and its
   * headers go with the dead letter ({@link io.nip.errors.DeadLetter#headers()}).
   *
   * @param rawBytes the bytes that failed, or null
   * @param headers the record's headers, {@link Headers#EMPTY} (or null) when none
   * @param position the record's offset in its partition, at least 0
   * @param error the reason
   */
  default void fail(byte[] rawBytes, Headers headers, long position, Throwable error) {
    fail(rawBytes, position, error);
  }

  /**
   * A record could not be read; the runtime applies the error policy.
   *
   * @param rawBytes the bytes that failed, or null
   * @param position the record's position in its partition, not null
   * @param error the reason
   */
  void fail(byte[] rawBytes, SourcePosition position, Throwable error);
}
