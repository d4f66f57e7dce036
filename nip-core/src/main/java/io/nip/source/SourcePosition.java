package io.nip.source;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a record sits in its source partition, opaque to the runtime: a Kafka offset, a Kinesis
 * sequence number (a decimal string of up to 128 digits), a Pub/Sub ack id, a line number.
 * Checkpoints store positions and hand them back to {@link Source#createReader} on restart, so a
 * position has a stable byte form ({@link #toBytes()} / {@link #fromBytes(byte[])}).
 *
 * <pre>{@code
 * SourcePosition kafka = SourcePosition.ofOffset(42);
 * SourcePosition kinesis = SourcePosition.ofString("49590338271490256608559692538361571095921575989136588898");
 * SourcePosition back = SourcePosition.fromBytes(kinesis.toBytes());   // equals kinesis
 * }</pre>
 *
 * <p>Offsets have a fast path: a reader emits them as a primitive {@code long} through
 * {@link SourceOutput#emit(Object, Object, io.nip.event.Headers, byte[], long, long)} and the
 * runtime creates a {@code SourcePosition} only when it needs one (at a checkpoint).
 *
 * <p>Byte form (stable; a new kind only ever adds a tag): one tag byte, then the payload —
 * {@code 0} none (no payload), {@code 1} offset (8 bytes, big-endian), {@code 2} string (UTF-8),
 * {@code 3} bytes (as is).
 */
public final class SourcePosition implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final byte TAG_NONE = 0;
  private static final byte TAG_OFFSET = 1;
  private static final byte TAG_STRING = 2;
  private static final byte TAG_BYTES = 3;

  /** No stored position: a reader created with it starts where its source starts by default. */
  public static final SourcePosition NONE = new SourcePosition(Kind.NONE, -1L, null, null);

  /** The forms a position takes. */
  public enum Kind {
    /** No position ({@link #NONE}). */
    NONE,
    /** A non-negative long: Kafka offsets, line or sequence numbers. */
    OFFSET,
    /** A string: Kinesis sequence numbers, Pub/Sub ack ids. */
    STRING,
    /** Opaque bytes: anything else a connector needs to resume. */
    BYTES
  }

  private final Kind kind;
  private final long offset;
  private final String string;
  private final byte[] bytes;

  private SourcePosition(Kind kind, long offset, String string, byte[] bytes) {
    this.kind = kind;
    this.offset = offset;
    this.string = string;
    this.bytes = bytes;
  }

  /**
   * @param offset a non-negative offset (the position of a record or of the next one to read)
   * @return the position
   * @throws IllegalArgumentException when {@code offset} is negative
   */
  public static SourcePosition ofOffset(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be at least 0, was " + offset);
    }
    return new SourcePosition(Kind.OFFSET, offset, null, null);
  }

  /**
   * @param position a string position (e.g. a Kinesis sequence number), not null
   * @return the position
   */
  public static SourcePosition ofString(String position) {
    return new SourcePosition(Kind.STRING, -1L, Objects.requireNonNull(position, "position"), null);
  }

  /**
   * @param position opaque bytes, copied, not null
   * @return the position
   */
  public static SourcePosition ofBytes(byte[] position) {
    return new SourcePosition(Kind.BYTES, -1L, null, Objects.requireNonNull(position, "position").clone());
  }

  /**
   * @param position a position, or null
   * @return {@code position}, or {@link #NONE} when it is null
   */
  public static SourcePosition orNone(SourcePosition position) {
    return position == null ? NONE : position;
  }

  /**
   * The start offset of an offset-based reader.
   *
   * <pre>{@code
   * long next = SourcePosition.offsetOr(startPosition, 0);
   * }</pre>
   *
   * @param position a start position, or null
   * @param ifNone what to return for null or {@link #NONE}
   * @return the offset of {@code position}, or {@code ifNone}
   * @throws IllegalArgumentException when {@code position} is a string or bytes position (it belongs
   *     to another kind of source)
   */
  public static long offsetOr(SourcePosition position, long ifNone) {
    if (position == null || position.isNone()) {
      return ifNone;
    }
    if (!position.isOffset()) {
      throw new IllegalArgumentException("expected an offset position, got a " + position.kind() + " position: "
          + position);
    }
    return position.offset;
  }

  /** @return which form this position has */
  public Kind kind() {
    return kind;
  }

  /** @return true for {@link #NONE} */
  public boolean isNone() {
    return kind == Kind.NONE;
  }

  /** @return true when this is an offset ({@link #offset()} may be called) */
  public boolean isOffset() {
    return kind == Kind.OFFSET;
  }

  /**
   * @return the offset, at least 0
   * @throws IllegalStateException when this is not an offset
   */
  public long offset() {
    if (kind != Kind.OFFSET) {
      throw new IllegalStateException("position " + this + " is not an offset but " + kind);
    }
    return offset;
  }

  /**
   * @return the string
   * @throws IllegalStateException when this is not a string position
   */
  public String string() {
    if (kind != Kind.STRING) {
      throw new IllegalStateException("position " + this + " is not a string but " + kind);
    }
    return string;
  }

  /**
   * @return a copy of the bytes
   * @throws IllegalStateException when this is not a bytes position
   */
  public byte[] bytes() {
    if (kind != Kind.BYTES) {
      throw new IllegalStateException("position " + this + " is not bytes but " + kind);
    }
    return bytes.clone();
  }

  /** @return the stable byte form (see the class comment), for checkpoint storage */
  public byte[] toBytes() {
    switch (kind) {
      case NONE:
        return new byte[] {TAG_NONE};
      case OFFSET:
        return ByteBuffer.allocate(9).put(TAG_OFFSET).putLong(offset).array();
      case STRING:
        return tagged(TAG_STRING, string.getBytes(StandardCharsets.UTF_8));
      default:
        return tagged(TAG_BYTES, bytes);
    }
  }

  private static byte[] tagged(byte tag, byte[] payload) {
    byte[] out = new byte[payload.length + 1];
    out[0] = tag;
    System.arraycopy(payload, 0, out, 1, payload.length);
    return out;
  }

  /**
   * @param encoded what {@link #toBytes()} returned
   * @return the position it encodes
   * @throws IllegalArgumentException when {@code encoded} is empty, has an unknown tag, or a payload
   *     that does not fit its tag
   */
  public static SourcePosition fromBytes(byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length == 0) {
      throw new IllegalArgumentException("an encoded source position has at least one byte");
    }
    byte[] payload = Arrays.copyOfRange(encoded, 1, encoded.length);
    switch (encoded[0]) {
      case TAG_NONE:
        if (payload.length != 0) {
          throw new IllegalArgumentException("an encoded NONE position has no payload, found " + payload.length + " bytes");
        }
        return NONE;
      case TAG_OFFSET:
        if (payload.length != 8) {
          throw new IllegalArgumentException("an encoded offset has 8 bytes, found " + payload.length);
        }
        return ofOffset(ByteBuffer.wrap(payload).getLong());
      case TAG_STRING:
        try {
          return ofString(StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload)).toString());
        } catch (CharacterCodingException e) {
          throw new IllegalArgumentException("an encoded string position is not valid UTF-8", e);
        }
      case TAG_BYTES:
        return new SourcePosition(Kind.BYTES, -1L, null, payload);
      default:
        throw new IllegalArgumentException("unknown source position tag " + encoded[0]);
    }
  }

  private Object readResolve() {
    return kind == Kind.NONE ? NONE : this;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SourcePosition)) {
      return false;
    }
    SourcePosition p = (SourcePosition) o;
    return kind == p.kind && offset == p.offset && Objects.equals(string, p.string) && Arrays.equals(bytes, p.bytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, offset, string) * 31 + Arrays.hashCode(bytes);
  }

  /** @return readable: the offset's digits, the string itself, {@code 0x}-hex bytes, or {@code none} */
  @Override
  public String toString() {
    switch (kind) {
      case NONE:
        return "none";
      case OFFSET:
        return Long.toString(offset);
      case STRING:
        return string;
      default:
        StringBuilder sb = new StringBuilder("0x");
        for (byte b : bytes) {
          sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
  }
}
