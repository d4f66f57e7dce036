package io.nip.state;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The byte layout of window and session store keys, shared by every backend: it is the key of
 * their {@link StoreSnapshot} entries (so a snapshot taken on one backend restores on another) and
 * the on-disk key of ordered backends.
 *
 * <p>Layout: the serialized key with every {@code 0x00} byte written as {@code 0x00 0xFF}, then the
 * terminator {@code 0x00 0x00}, then the window start (and for sessions the end) as 8 bytes
 * big-endian with the sign bit flipped. Comparing two such byte arrays as unsigned bytes therefore
 * orders them by serialized key (a key before every key it is a prefix of), then start, then end;
 * and every entry of a key starts with {@link #prefix(byte[])} of that key, which no other key's
 * entries start with. Times are kept in milliseconds: sub-millisecond parts are dropped, and
 * instants beyond the range of epoch milliseconds in a {@code long} are clamped to it.
 *
 * <pre>{@code
 * byte[] k = StoreKeys.window(keySerde.serialize("user1"), Instant.parse("2026-01-17T17:00:00Z"));
 * Instant start = StoreKeys.windowStart(k);
 * }</pre>
 */
public final class StoreKeys {
  private static final int TIME_BYTES = Long.BYTES;

  private StoreKeys() {}

  /**
   * @param key a serialized key
   * @return the bytes every window or session key of {@code key} starts with
   */
  public static byte[] prefix(byte[] key) {
    Objects.requireNonNull(key, "key");
    ByteArrayOutputStream out = new ByteArrayOutputStream(key.length + 2 + 2 * TIME_BYTES);
    escapeInto(key, out);
    return out.toByteArray();
  }

  /**
   * @param key a serialized key
   * @param start the window start
   * @return the window key
   */
  public static byte[] window(byte[] key, Instant start) {
    return withTimes(prefix(key), millis(start));
  }

  /**
   * @param key a serialized key
   * @param start the session start
   * @param end the session end, not before {@code start}
   * @return the session key
   */
  public static byte[] session(byte[] key, Instant start, Instant end) {
    return withTimes(prefix(key), millis(start), millis(end));
  }

  /**
   * @param prefix what {@link #prefix(byte[])} returned
   * @param times epoch milliseconds to append
   * @return the prefix followed by the times in the order-preserving encoding
   */
  private static byte[] withTimes(byte[] prefix, long... times) {
    byte[] out = Arrays.copyOf(prefix, prefix.length + TIME_BYTES * times.length);
    for (int i = 0; i < times.length; i++) {
      putTime(out, prefix.length + i * TIME_BYTES, times[i]);
    }
    return out;
  }

  /**
   * @param windowOrSessionKey a key made by {@link #window} or {@link #session}
   * @return the serialized key it holds
   * @throws IllegalArgumentException when the bytes are not such a key
   */
  public static byte[] key(byte[] windowOrSessionKey) {
    byte[] b = Objects.requireNonNull(windowOrSessionKey, "windowOrSessionKey");
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
    for (int i = 0; i + 1 < b.length; i++) {
      if (b[i] != 0) {
        out.write(b[i]);
      } else if (b[i + 1] == 0) {
        return out.toByteArray();
      } else if (b[i + 1] == (byte) 0xFF) {
        out.write(0);
        i++;
      } else {
        break;
      }
    }
    throw new IllegalArgumentException("not a window or session key: " + Arrays.toString(b));
  }

  /**
   * @param windowKey a key made by {@link #window}
   * @return its window start
   */
  public static Instant windowStart(byte[] windowKey) {
    return Instant.ofEpochMilli(timeAt(windowKey, windowKey.length - TIME_BYTES));
  }

  /**
   * @param sessionKey a key made by {@link #session}
   * @return its session start
   */
  public static Instant sessionStart(byte[] sessionKey) {
    return Instant.ofEpochMilli(timeAt(sessionKey, sessionKey.length - 2 * TIME_BYTES));
  }

  /**
   * @param sessionKey a key made by {@link #session}
   * @return its session end
   */
  public static Instant sessionEnd(byte[] sessionKey) {
    return Instant.ofEpochMilli(timeAt(sessionKey, sessionKey.length - TIME_BYTES));
  }

  /**
   * @param t an instant
   * @return its epoch milliseconds, clamped to the range of a {@code long}
   */
  public static long millis(Instant t) {
    Objects.requireNonNull(t, "time");
    if (t.getEpochSecond() >= Long.MAX_VALUE / 1000) {
      return Long.MAX_VALUE;
    }
    if (t.getEpochSecond() <= Long.MIN_VALUE / 1000) {
      return Long.MIN_VALUE;
    }
    return t.toEpochMilli();
  }

  /**
   * @param bytes an encoded key
   * @param offset where an 8-byte time starts
   * @return the epoch milliseconds written there
   */
  private static long timeAt(byte[] bytes, int offset) {
    if (offset < 2) {
      throw new IllegalArgumentException("not a window or session key: " + Arrays.toString(bytes));
    }
    long v = 0;
    for (int i = 0; i < TIME_BYTES; i++) {
      v = (v << 8) | (bytes[offset + i] & 0xFF);
    }
    return v ^ Long.MIN_VALUE;
  }

  private static void putTime(byte[] out, int offset, long millis) {
    long v = millis ^ Long.MIN_VALUE;
    for (int i = TIME_BYTES - 1; i >= 0; i--) {
      out[offset + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static void escapeInto(byte[] key, ByteArrayOutputStream out) {
    for (byte b : key) {
      out.write(b);
      if (b == 0) {
        out.write(0xFF);
      }
    }
    out.write(0);
    out.write(0);
  }
}
