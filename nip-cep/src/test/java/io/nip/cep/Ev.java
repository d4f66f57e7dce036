package io.nip.cep;

/**
 * A small test event: a user, a kind ("a", "b", ...) and a number.
 *
 * @param user the key
 * @param kind what happened
 * @param n a value
 */
public record Ev(String user, String kind, int n) {
  static Ev of(String user, String kind) {
    return new Ev(user, kind, 0);
  }

  boolean is(String k) {
    return kind.equals(k);
  }
}
