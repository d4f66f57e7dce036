package io.nip.jdbc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of the text the checkpoint storage puts in names, logs and exception
 * messages.
 *
 * <p>Design: two layers, because a message may quote a JDBC URL or a driver's error. Structurally,
 * {@code password=...} style URL parameters (also {@code sslpassword}, {@code ...Password}) and
 * user-info before a host ({@code //user:secret@host}) become {@code ***}. Literally, every known
 * secret (the password given to the builder or found in the URL) is replaced wherever it appears;
 * secrets shorter than 4 characters are left to the structural layer, so a one-letter password does
 * not blank out every occurrence of that letter.
 *
 * <p>Immutable and thread-safe.
 */
public final class Redaction {
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&;][a-z]*password=)[^&;\\s]*");
  private static final Pattern USER_INFO = Pattern.compile("(//)[^/@\\s]*@");
  private static final int MIN_LITERAL = 4;
  private final List<String> secrets;

  /**
   * @param jdbcUrl a JDBC URL whose password parameter is a secret too, or null
   * @param password the password, or null
   */
  public Redaction(String jdbcUrl, String password) {
    List<String> s = new ArrayList<>();
    if (password != null && password.length() >= MIN_LITERAL) {
      s.add(password);
    }
    if (jdbcUrl != null) {
      var m = URL_PASSWORD.matcher(jdbcUrl);
      while (m.find()) {
        String value = jdbcUrl.substring(m.end(1), m.end());
        if (value.length() >= MIN_LITERAL) {
          s.add(value);
        }
      }
    }
    this.secrets = List.copyOf(s);
  }

  /**
   * @param text any text, possibly null
   * @return the text without the secrets and URL credentials
   */
  public String apply(String text) {
    if (text == null) {
      return null;
    }
    String t = URL_PASSWORD.matcher(text).replaceAll("$1***");
    t = USER_INFO.matcher(t).replaceAll("$1***@");
    for (String secret : secrets) {
      t = t.replace(secret, "***");
    }
    return t;
  }
}
