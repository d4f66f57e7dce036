package io.nip.schema;

import io.nip.errors.SerializationException;

/**
 * A record carries an event version newer than the reader's current one (a producer was upgraded
 * before this consumer). Like every {@link SerializationException} from a source's serde it goes to
 * the error policy — with {@code ErrorPolicy.deadLetter(..)} a dead letter whose reason names both
 * versions — and the pipeline goes on; the record can be replayed once the consumer knows the version.
 */
public class UnknownVersionException extends SerializationException {
  private static final long serialVersionUID = 1L;
  private final int version;
  private final int current;

  /**
   * @param type the event type's name
   * @param version the record's version
   * @param current the newest version the reader knows
   * @param rawBytes the record's bytes
   */
  public UnknownVersionException(String type, int version, int current, byte[] rawBytes) {
    super("unknown " + type + " version " + version + ": newer than the current version " + current
        + " this reader knows", rawBytes, null);
    this.version = version;
    this.current = current;
  }

  /** @return the record's version */
  public int version() {
    return version;
  }

  /** @return the newest version the reader knows */
  public int current() {
    return current;
  }
}
