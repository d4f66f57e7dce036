package io.nip.cep.internal;

import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The store key of one buffered event: the stream's key and a per-key number (an arrival number in
 * the {@code pending} store, a position in the {@code events} store). Point lookups only, so the
 * layout needs no order: the key serde's bytes, then the number as 8 bytes big-endian.
 *
 * @param key the stream's key
 * @param id the number
 */
public record EventKey(Object key, long id) {

  /**
   * @param keySerde the stream's key serde
   * @return the serde of event keys
   */
  public static Serde<EventKey> serde(Serde<Object> keySerde) {
    return new Serde<>() {
      @Override
      public byte[] serialize(EventKey k) {
        if (k == null) {
          return null;
        }
        byte[] key = keySerde.serialize(k.key());
        byte[] out = Arrays.copyOf(key, key.length + Long.BYTES);
        ByteBuffer.wrap(out, key.length, Long.BYTES).putLong(k.id());
        return out;
      }

      @Override
      public EventKey deserialize(byte[] bytes) {
        if (bytes == null) {
          return null;
        }
        if (bytes.length < Long.BYTES) {
          throw new SerializationException("pattern event key shorter than 8 bytes", bytes, null);
        }
        int n = bytes.length - Long.BYTES;
        return new EventKey(keySerde.deserialize(Arrays.copyOf(bytes, n)), ByteBuffer.wrap(bytes, n, Long.BYTES).getLong());
      }
    };
  }
}
