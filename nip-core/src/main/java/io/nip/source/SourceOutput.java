package io.nip.source;

/**
 * Receives what a {@link SourceReader} reads, pushing each record straight into the task's fused
 * operator chain. The timestamp parameters are epoch milliseconds because this is the per-record
 * hot path of every connector; public DSL signatures use {@link java.time.Instant}.
 *
 * @param <T> the value type
 */
public interface SourceOutput<T> {

  /** Timestamp value meaning "the source has no timestamp for this record". */
  long NO_TIMESTAMP = Long.MIN_VALUE;

  /**
   * @param value the record, not null
   * @param position the record's position in its partition
   */
  default void emit(T value, long position) {
    emit(value, null, position, NO_TIMESTAMP);
  }

  /**
   * @param value the record, not null
   * @param rawBytes the source bytes of the record (kept for dead letters), or null
   * @param position the record's position in its partition
   * @param sourceTimestampMillis the source's timestamp (e.g. Kafka record time), or NO_TIMESTAMP
   */
  void emit(T value, byte[] rawBytes, long position, long sourceTimestampMillis);

  /**
   * A record could not be read (e.g. it does not deserialize). The runtime applies the error
   * policy: skip, dead-letter with the raw bytes, or fail.
   *
   * @param rawBytes the bytes that failed, or null
   * @param position the record's position in its partition
   * @param error the reason
   */
  void fail(byte[] rawBytes, long position, Throwable error);
}
