package io.nip.streaming;

import io.nip.serde.Serde;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The session ids of {@link StatefulProcessor#sessionize}: a name-based UUID (version 3, MD5) of
 * the key's bytes as its key serde writes them, followed by the session start (epoch millis, 8
 * bytes big-endian). The same key and start give the same id in every run and after every restart;
 * different starts of a key give different ids. When sessions merge, the merged one starts at the
 * earliest start, so it keeps the id of the earliest of them.
 *
 * <pre>{@code
 * String id = SessionIds.of(Serdes.string(), "u1", Instant.parse("2026-01-17T17:00:00Z"));
 * }</pre>
 */
public final class SessionIds {
  /**
   * One MD5 digest per thread: looking one up through the security providers costs more than
   * hashing a short name, and a session id is made for every session a pipeline emits.
   */
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new InternalError("MD5 not supported", e); // every Java platform must have it
    }
  });

  private SessionIds() {}

  /**
   * @param keySerde the serde the processor writes keys with (JSON unless one was given)
   * @param key the session's key
   * @param start the session start: its first event's time
   * @param <K> key type
   * @return the id, a UUID string such as {@code 3f2b...-...}
   */
  public static <K> String of(Serde<K> keySerde, K key, Instant start) {
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(start, "start");
    byte[] k = keySerde.serialize(key);
    byte[] name = ByteBuffer.allocate(k.length + Long.BYTES).put(k).putLong(start.toEpochMilli()).array();
    return nameUuid(name).toString();
  }

  /** The same UUID as {@link UUID#nameUUIDFromBytes}, through this thread's digest. */
  static UUID nameUuid(byte[] name) {
    MessageDigest md = MD5.get();
    md.reset();
    byte[] h = md.digest(name);
    h[6] = (byte) ((h[6] & 0x0f) | 0x30); // version 3
    h[8] = (byte) ((h[8] & 0x3f) | 0x80); // IETF variant
    ByteBuffer b = ByteBuffer.wrap(h);
    return new UUID(b.getLong(), b.getLong());
  }
}
