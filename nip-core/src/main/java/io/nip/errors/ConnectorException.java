package io.nip.errors;

/** A source or sink failed to talk to the outside world (file, broker, database). */
public class ConnectorException extends NipException {
  private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the connector */
  public ConnectorException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the connector
   * @param cause the underlying error
   */
  public ConnectorException(String message, Throwable cause) {
    super(message, cause);
  }
}
