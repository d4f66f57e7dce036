package io.nip.runtime.internal;

import io.nip.errors.StateException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Length-prefixed byte arrays in snapshot streams; a bounded length guards against corrupt input. */
final class Bytes {
  /** No single serialized key, value or timer may exceed this (256 MiB). */
  static final int MAX_LENGTH = 256 << 20;

  private Bytes() {}

  static void write(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(b.length);
    out.write(b);
  }

  static byte[] read(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > MAX_LENGTH) {
      throw new StateException("corrupt snapshot: a field claims " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
