package io.nip.errors;

import io.nip.event.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A record that failed, as written to a dead-letter sink: the original bytes (when the source had
 * them), a rendering of the value that reached the failing operator, the error, and where the
 * record came from.
 *
 * @param pipeline the pipeline name
 * @param operator the operator that failed (for deserialization errors: the source)
 * @param source the source the record was read from
 * @param partition the source partition
 * @param position the record's position (offset) in that partition, or -1 when unknown
 * @param eventTime the record's event time, or null when it had none yet
 * @param rawRecord the source bytes of the record, or null when the source had none
 * @param value the value that reached the failing operator, rendered as text, or null
 * @param errorClass the exception's class name
 * @param errorMessage the exception's message
 * @param failedAt when the failure happened, on the pipeline's clock
 * @param headers the failed record's headers as its source gave them (e.g. the line number a
 *     loader attached), {@link Headers#EMPTY} when none; never null
 */
public record DeadLetter(
    String pipeline,
    String operator,
    String source,
    int partition,
    long position,
    Instant eventTime,
    byte[] rawRecord,
    String value,
    String errorClass,
    String errorMessage,
    Instant failedAt,
    Headers headers) {

  /** Replaces null headers by {@link Headers#EMPTY}. */
  public DeadLetter {
    headers = headers == null ? Headers.EMPTY : headers;
  }

  /**
   * A dead letter of a record without headers.
   *
   * @param pipeline the pipeline name
   * @param operator the operator that failed
   * @param source the source the record was read from
   * @param partition the source partition
   * @param position the record's offset in that partition, or -1 when unknown
   * @param eventTime the record's event time, or null
   * @param rawRecord the source bytes of the record, or null
   * @param value the failing value rendered as text, or null
   * @param errorClass the exception's class name
   * @param errorMessage the exception's message
   * @param failedAt when the failure happened
   */
  public DeadLetter(String pipeline, String operator, String source, int partition, long position, Instant eventTime,
      byte[] rawRecord, String value, String errorClass, String errorMessage, Instant failedAt) {
    this(pipeline, operator, source, partition, position, eventTime, rawRecord, value, errorClass, errorMessage,
        failedAt, Headers.EMPTY);
  }

  /** @return the raw record as UTF-8 text, or null */
  public String rawRecordText() {
    return rawRecord == null ? null : new String(rawRecord, StandardCharsets.UTF_8);
  }
}
