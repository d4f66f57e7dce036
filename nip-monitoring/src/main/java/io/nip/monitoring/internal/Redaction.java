package io.nip.monitoring.internal;

import java.util.List;
import java.util.Objects;

/**
 * Removes secrets (webhook URLs and their parts, routing keys, passwords, header values) from text
 * that is about to go into a log line or an exception. Channels build their error messages
 * themselves and pass them through here as a second line of defence: a library's exception message
 * (an I/O error, a mail server's reply) may quote what it was given.
 *
 * <p>Immutable and thread-safe. Secrets shorter than 4 characters are not searched for: they would
 * blank out ordinary words and cannot be hidden that way anyway.
 */
public final class Redaction {
  /** What a removed secret becomes. */
  public static final String MASK = "<redacted>";
  private final List<String> secrets;

  /** @param secrets the values to hide; nulls are ignored */
  public Redaction(List<String> secrets) {
    this.secrets = secrets.stream().filter(Objects::nonNull).filter(s -> s.length() >= 4)
        .sorted((a, b) -> b.length() - a.length()).toList();
  }

  /**
   * @param text any text, may be null
   * @return the text with every secret replaced by {@value #MASK} ("" for null)
   */
  public String apply(String text) {
    if (text == null) {
      return "";
    }
    String out = text;
    for (String s : secrets) {
      out = out.replace(s, MASK);
    }
    return out;
  }

  /**
   * @param e a failure
   * @return its class's simple name and its message, redacted, e.g. {@code "ConnectException:
   *     Connection refused"}
   */
  public String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + apply(m));
  }
}
