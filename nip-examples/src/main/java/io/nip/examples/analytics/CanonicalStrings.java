package io.nip.examples.analytics;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;

/**
 * One String instance per distinct value of a low-cardinality field (event types): the parser's
 * characters are matched against a small open-addressed table, so a repeated value costs no new
 * String and later comparisons hit on identity. At most {@code SLOTS} values are kept; others are
 * returned as new Strings. Shared by the readers of several partitions: slots are written at most
 * once with immutable Strings, so a racing reader sees either null (and adds) or a complete String.
 */
final class CanonicalStrings {
  private static final int SLOTS = 64;
  private static final int PROBES = 4;
  private final String[] table = new String[SLOTS];

  /**
   * @param p a parser positioned on a string value
   * @return the value, canonical when the table has room
   * @throws IOException from the parser
   */
  String canonical(JsonParser p) throws IOException {
    char[] buf = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    int h = 0;
    for (int i = 0; i < len; i++) {
      h = 31 * h + buf[off + i];
    }
    int slot = (h & Integer.MAX_VALUE) % SLOTS;
    for (int probe = 0; probe < PROBES; probe++) {
      int i = (slot + probe) % SLOTS;
      String s = table[i];
      if (s == null) {
        s = new String(buf, off, len);
        table[i] = s;
        return s;
      }
      if (matches(s, buf, off, len)) {
        return s;
      }
    }
    return new String(buf, off, len);
  }

  private static boolean matches(String s, char[] buf, int off, int len) {
    if (s.length() != len) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (s.charAt(i) != buf[off + i]) {
        return false;
      }
    }
    return true;
  }
}
