package io.nip.state.rocksdb.internal;

import io.nip.errors.StateException;
import java.util.Arrays;

/**
 * How a value sits in RocksDB: 8 bytes of expiry time (epoch milliseconds, big-endian;
 * {@link Long#MAX_VALUE} without a TTL), then the value serialized by the store's serde. The expiry
 * is written for every store, with or without TTL, so that turning a TTL on or off keeps the files
 * readable, and so that a snapshot entry ({@code StoreSnapshot.Entry}) maps to one RocksDB entry and
 * back without knowing the store's settings.
 *
 * <p>Why not RocksDB's TtlDB: it measures time on the machine's wall clock when it compacts, which
 * tests cannot move and which differs from the pipeline's injected clock; here expiry is decided
 * on reads against {@code NipClock}, and {@code purgeExpired} removes what expired.
 */
final class ValueCodec {
  static final int HEADER = Long.BYTES;

  private ValueCodec() {}

  static byte[] encode(long expiresAt, byte[] value) {
    byte[] out = new byte[HEADER + value.length];
    long v = expiresAt;
    for (int i = HEADER - 1; i >= 0; i--) {
      out[i] = (byte) v;
      v >>>= 8;
    }
    System.arraycopy(value, 0, out, HEADER, value.length);
    return out;
  }

  static long expiresAt(byte[] stored) {
    requireHeader(stored);
    long v = 0;
    for (int i = 0; i < HEADER; i++) {
      v = (v << 8) | (stored[i] & 0xFF);
    }
    return v;
  }

  static byte[] value(byte[] stored) {
    requireHeader(stored);
    return Arrays.copyOfRange(stored, HEADER, stored.length);
  }

  private static void requireHeader(byte[] stored) {
    if (stored.length < HEADER) {
      throw new StateException("corrupt RocksDB value: " + stored.length + " bytes, less than its "
          + HEADER + "-byte expiry header");
    }
  }
}
