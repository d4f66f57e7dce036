package io.nip.errors;

import java.util.Arrays;

/**
 * A record could not be turned into bytes or back. Keeps the raw bytes and the reason, so that a
 * dead-letter record can carry them.
 */
public class SerializationException extends NipException {
  private static final long serialVersionUID = 1L;
  private final transient byte[] rawBytes;

  /**
   * @param message the reason, naming the expected type
   * @param rawBytes the bytes that failed to parse (may be null when serializing)
   * @param cause the parser's error
   */
  public SerializationException(String message, byte[] rawBytes, Throwable cause) {
    super(message, cause);
    this.rawBytes = rawBytes;
  }

  /** @return a copy of the raw bytes that failed, or null */
  public byte[] rawBytes() {
    return rawBytes == null ? null : Arrays.copyOf(rawBytes, rawBytes.length);
  }
}
