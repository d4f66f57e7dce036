package io.nip.window.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The stream a window's state record is written into, with room reserved for a length that is
 * filled in after what it measures. Why: a window's state holds its accumulator as length-prefixed
 * bytes, and a combined accumulator holds each part the same way; written through one buffer, a
 * key's record costs one array instead of one per accumulator and part (exercise 1 has four parts,
 * written at every checkpoint for every window that changed). The bytes are the same as when each
 * part is serialized on its own.
 *
 * <p>Invariants: a reserved length is filled before {@link #toByteArray} is called. Threading: one
 * instance per serialize call, on its thread; so the buffer's writes take no lock (the JDK's byte
 * array stream and data stream lock on every write, and a state record is written a few bytes at a
 * time).
 */
final class StateOutput extends DataOutputStream {
  private final Buffer buffer;

  /** @param size the initial capacity in bytes */
  StateOutput(int size) {
    this(new Buffer(size));
  }

  private StateOutput(Buffer buffer) {
    super(buffer);
    this.buffer = buffer;
  }

  /**
   * Writes four bytes to be filled by {@link #fillLength}.
   *
   * @return where they are
   * @throws IOException never (an in-memory buffer), declared by {@link DataOutputStream}
   */
  int reserveLength() throws IOException {
    int at = buffer.size();
    writeInt(0);
    return at;
  }

  /** @param at what {@link #reserveLength} returned: there goes the count of the bytes written since */
  void fillLength(int at) {
    buffer.putInt(at, buffer.size() - at - 4);
  }

  /** @return a copy of the bytes written */
  byte[] toByteArray() {
    return buffer.toByteArray();
  }

  @Override
  public void write(int b) {
    buffer.write(b);
    written++;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    buffer.write(b, off, len);
    written += len;
  }

  /**
   * A byte array stream that can overwrite four of its bytes (its array is protected in the JDK),
   * with writes that take no lock.
   */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer(int size) {
      super(size);
    }

    @Override
    public void write(int b) {
      grow(count + 1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      grow(count + len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    @Override
    public int size() {
      return count;
    }

    @Override
    public byte[] toByteArray() {
      return Arrays.copyOf(buf, count);
    }

    private void grow(int min) {
      if (min > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(min, buf.length * 2));
      }
    }

    void putInt(int at, int v) {
      buf[at] = (byte) (v >>> 24);
      buf[at + 1] = (byte) (v >>> 16);
      buf[at + 2] = (byte) (v >>> 8);
      buf[at + 3] = (byte) v;
    }
  }
}
