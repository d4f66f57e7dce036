package io.nip.errors;

/** A state store could not be read, written, snapshotted or restored. */
public class StateException extends NipException {
  private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the store */
  public StateException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the store
   * @param cause the backend's error
   */
  public StateException(String message, Throwable cause) {
    super(message, cause);
  }
}
