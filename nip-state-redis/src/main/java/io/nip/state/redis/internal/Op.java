package io.nip.state.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte encodings of entries in staging hashes and in batches sent to {@link Script#APPLY};
 * the format is described on {@link Script}.
 *
 * <p>Deadlines are wall-clock epoch milliseconds ({@link Long#MAX_VALUE} for none): Redis expiry
 * runs on the server's wall clock, and the scripts turn a deadline into {@code PX} against the
 * writer's clock at the moment of writing.
 */
final class Op {
  /** The staging field that marks an epoch which starts by clearing the store. */
  static final byte[] CLEAR_FIELD = {'c'};
  /** The value of {@link #CLEAR_FIELD}. */
  static final byte[] CLEAR_VALUE = {'1'};
  private static final byte[] DELETE = {'D', '-', ':'};

  private Op() {}

  /**
   * @param key a serialized key
   * @return its field in a staging hash or an APPLY batch
   */
  static byte[] field(byte[] key) {
    byte[] f = new byte[key.length + 1];
    f[0] = 'k';
    System.arraycopy(key, 0, f, 1, key.length);
    return f;
  }

  /**
   * @param value a serialized value
   * @param deadline when it expires (wall-clock epoch ms), or {@link Long#MAX_VALUE}
   * @return the put operation
   */
  static byte[] put(byte[] value, long deadline) {
    byte[] d = (deadline == Long.MAX_VALUE ? "-" : Long.toString(deadline)).getBytes(StandardCharsets.US_ASCII);
    byte[] op = new byte[2 + d.length + value.length];
    op[0] = 'P';
    System.arraycopy(d, 0, op, 1, d.length);
    op[1 + d.length] = ':';
    System.arraycopy(value, 0, op, 2 + d.length, value.length);
    return op;
  }

  /** @return the delete operation */
  static byte[] delete() {
    return DELETE.clone();
  }

  /**
   * @param op an operation read back from a staging hash
   * @return the value it puts with its deadline, or null for a delete
   * @throws IllegalArgumentException when the bytes are no operation
   */
  static Remote.Value decode(byte[] op) {
    if (op.length < 3 || (op[0] != 'P' && op[0] != 'D')) {
      throw new IllegalArgumentException("not a staged operation: " + new String(op, 0, Math.min(op.length, 20),
          StandardCharsets.ISO_8859_1));
    }
    if (op[0] == 'D') {
      return null;
    }
    int sep = 1;
    while (sep < op.length && op[sep] != ':') {
      sep++;
    }
    if (sep == op.length) {
      throw new IllegalArgumentException("a staged put without its ':' separator");
    }
    String d = new String(op, 1, sep - 1, StandardCharsets.US_ASCII);
    long deadline = d.equals("-") ? Long.MAX_VALUE : Long.parseLong(d);
    return new Remote.Value(Arrays.copyOfRange(op, sep + 1, op.length), deadline);
  }
}
