package io.nip.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nip.errors.DeadLetter;
import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dead letters as one JSON object per line for a dead-letter file: where the record came from
 * ({@code source}; {@code line}, the input file's 1-based line number when the record carried it
 * in the header {@value #LINE_HEADER}, else null; {@code partition} and
 * {@code offset}, null for a line that never reached Kafka), the bad record as text (not base64,
 * so it can be read and replayed; bytes that are not UTF-8 become U+FFFD), the operator and the
 * error. Write-only.
 *
 * <pre>{@code
 * Sinks.jsonLines("dlq-file", Path.of("bad.jsonl"), new DeadLetterJson());
 * }</pre>
 */
public final class DeadLetterJson implements Serde<DeadLetter> {
  /** The header of a record read from a file that holds its line number there, as decimal text. */
  public static final String LINE_HEADER = "nip.input.line";


  @Override
  public byte[] serialize(DeadLetter d) {
    if (d == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", d.source());
    m.put("line", lineOf(d));
    m.put("partition", d.partition() < 0 ? null : d.partition());
    m.put("offset", d.position() < 0 ? null : d.position());
    m.put("raw_record", d.rawRecord() != null ? d.rawRecordText() : d.value());
    m.put("operator", d.operator());
    m.put("error_class", d.errorClass());
    m.put("error_message", d.errorMessage());
    m.put("failed_at", d.failedAt() == null ? null : d.failedAt().toString());
    try {
      return Serdes.objectMapper().writeValueAsBytes(m);
    } catch (JsonProcessingException e) {
      throw new SerializationException("cannot write dead letter: " + e.getMessage(), null, e);
    }
  }

  /**
   * @param d a dead letter
   * @return the input line number in its header {@value #LINE_HEADER}, or null
   */
  public static Long lineOf(DeadLetter d) {
    String line = d.headers().lastString(LINE_HEADER);
    try {
      return line == null ? null : Long.valueOf(line);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Not supported: dead-letter files are written, not read, here. */
  @Override
  public DeadLetter deserialize(byte[] bytes) {
    throw new UnsupportedOperationException("dead-letter lines are written, not read");
  }
}
