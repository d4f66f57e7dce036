package io.nip.jdbc.transactional.internal;

import java.sql.SQLException;

/**
 * Sorts failures of an event's transaction into those worth running the event again for, without
 * counting an attempt, and the rest.
 *
 * <p>Design: a serialization failure (40001) or deadlock (40P01) says nothing about the event, only
 * about timing; a broken connection (class 08, or 57P01–57P03: the server ended the session, is
 * shutting down or starting) says nothing either, and running the event again is safe even when
 * the lost answer was a successful commit, because the position check then finds the event applied.
 * Everything else (a constraint violation, a syntax error, the handler's own exception) counts.
 *
 * <p>Stateless.
 */
public final class SqlFailures {
  private SqlFailures() {}

  /**
   * @param failure any failure, searched with its causes
   * @return whether it is a serialization failure, a deadlock or a broken connection
   */
  public static boolean transientFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.equals("40001") || state.equals("40P01") || state.startsWith("08") || state.equals("57P01")
            || state.equals("57P02") || state.equals("57P03")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * @param failure any failure
   * @return its message, with the SQLState of the first SQLException in its causes when there is one
   */
  public static String describe(Throwable failure) {
    StringBuilder m = new StringBuilder(failure.getClass().getSimpleName()).append(": ").append(failure.getMessage());
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        m.append(" (SQLState ").append(s.getSQLState()).append(')');
        break;
      }
    }
    return m.toString();
  }
}
