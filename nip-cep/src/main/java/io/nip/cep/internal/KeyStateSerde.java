package io.nip.cep.internal;

import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The compact binary form of a {@link KeyState}, as snapshots, changelogs and durable backends
 * store it. Layout (version 2), numbers as unsigned variable-length integers unless said otherwise,
 * signed ones zigzag-encoded:
 * <ol>
 *   <li>a version byte; the next position; a flags byte (bit 0: an evaluation timer, bit 1: an
 *       expiry timer) followed by each timer present as 8 bytes;
 *   <li>the pending events: their count, then per event its time (the first as 8 bytes, the others
 *       as deltas from the previous one) and its body (length, then the event serde's bytes);
 *   <li>the shared buffer: its count, then per event its position (delta from the previous) and
 *       its body;
 *   <li>the partial matches: their count, then per partial match a flags byte (adjacent, absent),
 *       its step, the event count of every step up to it, its start time (8 bytes), the step's start
 *       and the deadline as deltas from it, and its positions as deltas.
 * </ol>
 * A partial match of n events over s steps therefore takes about 12 + s + 2n bytes besides the
 * events it shares with the others. Written into one growing array, without streams: the state of
 * a key is written whenever it leaves a durable backend's write cache or goes to a checkpoint.
 * Stateless apart from the event serde; shared by every task of the operator.
 */
public final class KeyStateSerde implements Serde<KeyState> {
  private static final int VERSION = 2;
  private final Serde<Object> eventSerde;

  /** @param eventSerde writes the event bodies */
  @SuppressWarnings("unchecked")
  public KeyStateSerde(Serde<?> eventSerde) {
    this.eventSerde = (Serde<Object>) eventSerde;
  }

  @Override
  public byte[] serialize(KeyState st) {
    if (st == null) {
      return null;
    }
    Writer out = new Writer(32 + st.partials.size() * 24 + (st.pendingSize + st.bufferSize) * 64);
    out.writeByte(VERSION);
    out.writeVar(st.nextPos);
    boolean eval = st.evalTimer != KeyState.NO_TIMER;
    boolean expiry = st.expiryTimer != KeyState.NO_TIMER;
    out.writeByte((eval ? 1 : 0) | (expiry ? 2 : 0));
    if (eval) {
      out.writeLong(st.evalTimer);
    }
    if (expiry) {
      out.writeLong(st.expiryTimer);
    }
    out.writeVar(st.pendingSize);
    for (int i = 0; i < st.pendingSize; i++) {
      if (i == 0) {
        out.writeLong(st.pendingTs[0]);
      } else {
        out.writeVar(zigzag(st.pendingTs[i] - st.pendingTs[i - 1]));
      }
      out.writeBytes(eventSerde.serialize(st.pendingEvents[i]));
    }
    out.writeVar(st.bufferSize);
    long prev = 0;
    for (int i = 0; i < st.bufferSize; i++) {
      out.writeVar(zigzag(st.bufferPos[i] - prev));
      prev = st.bufferPos[i];
      out.writeBytes(eventSerde.serialize(st.bufferEvents[i]));
    }
    out.writeVar(st.partials.size());
    for (Partial p : st.partials) {
      writePartial(out, p);
    }
    return out.toByteArray();
  }

  private static void writePartial(Writer out, Partial p) {
    out.writeByte((p.adjacent ? 1 : 0) | (p.absent ? 2 : 0));
    out.writeVar(p.stage);
    for (int s = 0; s <= p.stage; s++) {
      out.writeVar(p.counts[s]);
    }
    out.writeLong(p.startTs);
    out.writeVar(zigzag(p.stageStartTs - p.startTs));
    if (p.absent) {
      out.writeVar(zigzag(p.deadline - p.startTs));
    }
    long prev = 0;
    for (long pos : p.positions) {
      out.writeVar(zigzag(pos - prev));
      prev = pos;
    }
  }

  @Override
  public KeyState deserialize(byte[] data) {
    if (data == null) {
      return null;
    }
    Reader in = new Reader(data);
    try {
      int version = in.readByte();
      if (version != VERSION) {
        throw new SerializationException("pattern state has version " + version + ", expected " + VERSION
            + " (version 1 kept events in stores of their own: restore into a new checkpoint location)", data, null);
      }
      KeyState st = new KeyState();
      st.nextPos = in.readVar();
      int flags = in.readByte();
      st.evalTimer = (flags & 1) != 0 ? in.readLong() : KeyState.NO_TIMER;
      st.expiryTimer = (flags & 2) != 0 ? in.readLong() : KeyState.NO_TIMER;
      int pending = in.readCount();
      long ts = 0;
      for (int i = 0; i < pending; i++) {
        ts = i == 0 ? in.readLong() : ts + unzigzag(in.readVar());
        st.addPending(ts, eventSerde.deserialize(in.readBytes()));
      }
      int buffered = in.readCount();
      long pos = 0;
      for (int i = 0; i < buffered; i++) {
        pos += unzigzag(in.readVar());
        st.addToBuffer(pos, eventSerde.deserialize(in.readBytes()));
      }
      int n = in.readCount();
      st.partials = new ArrayList<>(n + 2);
      for (int i = 0; i < n; i++) {
        st.partials.add(readPartial(in));
      }
      return st;
    } catch (ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
      throw new SerializationException("cannot read pattern state: truncated or corrupt", data, e);
    }
  }

  private static Partial readPartial(Reader in) {
    int flags = in.readByte();
    int stage = in.readCount();
    int[] counts = new int[stage + 1];
    int total = 0;
    for (int s = 0; s <= stage; s++) {
      counts[s] = in.readCount();
      total += counts[s];
    }
    long start = in.readLong();
    long stageStart = start + unzigzag(in.readVar());
    boolean absent = (flags & 2) != 0;
    long deadline = absent ? start + unzigzag(in.readVar()) : Long.MIN_VALUE;
    long[] positions = new long[total];
    long prev = 0;
    for (int k = 0; k < total; k++) {
      prev += unzigzag(in.readVar());
      positions[k] = prev;
    }
    return new Partial(stage, counts, positions, start, stageStart, (flags & 1) != 0, absent, deadline);
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** A growing byte array. */
  private static final class Writer {
    private byte[] buf;
    private int size;

    Writer(int capacity) {
      buf = new byte[capacity];
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    void writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void writeLong(long v) {
      ensure(Long.BYTES);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (v >>> shift);
      }
    }

    void writeVar(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void writeBytes(byte[] b) {
      writeVar(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }

  /** Reads what {@link Writer} wrote; reading past the end throws an index exception. */
  private static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    int readByte() {
      return buf[pos++] & 0xFF;
    }

    long readLong() {
      long v = 0;
      for (int i = 0; i < Long.BYTES; i++) {
        v = (v << 8) | (buf[pos++] & 0xFF);
      }
      return v;
    }

    long readVar() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = buf[pos++];
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new SerializationException("cannot read pattern state: a number longer than 10 bytes", buf, null);
    }

    int readCount() {
      long v = readVar();
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new SerializationException("cannot read pattern state: a count of " + v, buf, null);
      }
      return (int) v;
    }

    byte[] readBytes() {
      int n = readCount();
      if (pos + n > buf.length) {
        throw new ArrayIndexOutOfBoundsException(pos + n);
      }
      byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }
  }
}
