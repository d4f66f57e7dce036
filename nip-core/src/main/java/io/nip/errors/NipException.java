package io.nip.errors;

/**
 * Root of every exception NIP throws. Unchecked, so that lambdas in the pipeline DSL stay plain.
 *
 * <pre>{@code
 * try { handle.awaitTermination(); } catch (NipException e) { log.error("pipeline failed", e); }
 * }</pre>
 */
public class NipException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong, naming the thing involved */
  public NipException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong, naming the thing involved
   * @param cause the underlying failure
   */
  public NipException(String message, Throwable cause) {
    super(message, cause);
  }
}
