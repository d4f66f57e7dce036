package io.nip.schema;

import io.nip.errors.SerializationException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A record parsed but broke its JSON Schema. Like every {@link SerializationException} thrown by a
 * source's serde it goes to the pipeline's error policy (e.g. the dead-letter output), with the raw
 * bytes; its message lists each violated path and keyword, e.g.
 * {@code violates schema analytics-event: $.user_id [minLength] ...; $ [required] ...}.
 */
public class SchemaViolationException extends SerializationException {
  private static final long serialVersionUID = 1L;
  private final transient List<SchemaViolation> violations;

  /**
   * @param schemaName the schema's {@code $id} or name, for the message
   * @param violations what failed, at least one
   * @param rawBytes the record's bytes
   */
  public SchemaViolationException(String schemaName, List<SchemaViolation> violations, byte[] rawBytes) {
    super("violates schema " + schemaName + ": "
        + violations.stream().map(SchemaViolation::toString).collect(Collectors.joining("; ")), rawBytes, null);
    this.violations = List.copyOf(violations);
  }

  /** @return each violated path and keyword, in the validator's order */
  public List<SchemaViolation> violations() {
    return violations;
  }
}
