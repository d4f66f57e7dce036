package io.nip.jdbc;

import io.nip.errors.ConnectorException;

/**
 * An {@link EventStore} operation failed in the database: the message names the operation, the
 * aggregate and the table, then the driver's message and SQLState; credentials never appear.
 */
public class EventStoreException extends ConnectorException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed
   * @param cause the driver's exception, or null
   */
  public EventStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
