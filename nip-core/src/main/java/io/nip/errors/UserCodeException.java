package io.nip.errors;

/** A user function (filter, map, handler, ...) threw; the cause is the user's exception. */
public class UserCodeException extends NipException {
  private static final long serialVersionUID = 1L;

  /**
   * @param operator the operator whose function failed
   * @param cause the user's exception
   */
  public UserCodeException(String operator, Throwable cause) {
    super("operator '" + operator + "' failed: " + cause, cause);
  }
}
