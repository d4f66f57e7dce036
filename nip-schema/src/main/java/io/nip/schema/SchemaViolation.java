package io.nip.schema;

import java.util.Objects;

/**
 * One way a JSON value breaks its schema, as the validator reports it.
 *
 * <pre>{@code
 * new SchemaViolation("$.user_id", "minLength", "$.user_id: must be at least 1 characters long");
 * }</pre>
 *
 * @param path where in the value, as a JSON path from the root {@code $} (e.g. {@code $.properties.value});
 *     for {@code required} the object missing the property
 * @param keyword the JSON Schema keyword that failed, e.g. {@code required}, {@code type}, {@code format}
 * @param message the validator's message, naming the path
 */
public record SchemaViolation(String path, String keyword, String message) {

  /** Checks that no part is null. */
  public SchemaViolation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(keyword, "keyword");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path + " [" + keyword + "] " + message;
  }
}
