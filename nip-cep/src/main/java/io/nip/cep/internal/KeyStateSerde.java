package io.nip.cep.internal;

import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;

/**
 * The compact binary form of a {@link KeyState}, as snapshots, changelogs and durable backends
 * store it. Layout (version 1): a version byte; the counters and the pending entries (time as 8
 * bytes, arrival numbers as variable-length deltas); then per partial match a flags byte
 * (adjacent, absent), its step, the event count of every step up to it, its start time (8 bytes),
 * the step's start and the deadline as deltas from it, and its positions as variable-length
 * deltas. A partial match of n events over s steps therefore takes about 12 + s + 2n bytes when
 * its events are close together in the key's sequence.
 */
public final class KeyStateSerde implements Serde<KeyState> {
  private static final int VERSION = 1;

  @Override
  public byte[] serialize(KeyState st) {
    if (st == null) {
      return null;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + st.partials.size() * 24);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      writeVar(out, st.nextSeq);
      writeVar(out, st.nextPos);
      writeVar(out, st.pendingSize);
      long prevSeq = 0;
      for (int i = 0; i < st.pendingSize; i++) {
        out.writeLong(st.pendingTs[i]);
        writeVar(out, zigzag(st.pendingSeq[i] - prevSeq));
        prevSeq = st.pendingSeq[i];
      }
      writeVar(out, st.partials.size());
      for (Partial p : st.partials) {
        out.writeByte((p.adjacent ? 1 : 0) | (p.absent ? 2 : 0));
        writeVar(out, p.stage);
        for (int s = 0; s <= p.stage; s++) {
          writeVar(out, p.counts[s]);
        }
        out.writeLong(p.startTs);
        writeVar(out, zigzag(p.stageStartTs - p.startTs));
        if (p.absent) {
          writeVar(out, zigzag(p.deadline - p.startTs));
        }
        long prev = 0;
        for (long pos : p.positions) {
          writeVar(out, zigzag(pos - prev));
          prev = pos;
        }
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new SerializationException("cannot write pattern state: " + e.getMessage(), null, e);
    }
  }

  @Override
  public KeyState deserialize(byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      int version = in.readUnsignedByte();
      if (version != VERSION) {
        throw new SerializationException("pattern state has version " + version + ", expected " + VERSION, data, null);
      }
      KeyState st = new KeyState();
      st.nextSeq = readVar(in);
      st.nextPos = readVar(in);
      int pending = (int) readVar(in);
      st.pendingTs = new long[Math.max(4, pending)];
      st.pendingSeq = new long[Math.max(4, pending)];
      long prevSeq = 0;
      for (int i = 0; i < pending; i++) {
        st.pendingTs[i] = in.readLong();
        prevSeq += unzigzag(readVar(in));
        st.pendingSeq[i] = prevSeq;
      }
      st.pendingSize = pending;
      int n = (int) readVar(in);
      st.partials = new ArrayList<>(n + 1);
      for (int i = 0; i < n; i++) {
        st.partials.add(readPartial(in));
      }
      return st;
    } catch (IOException e) {
      throw new SerializationException("cannot read pattern state: " + e.getMessage(), data, e);
    }
  }

  private static Partial readPartial(DataInputStream in) throws IOException {
    int flags = in.readUnsignedByte();
    int stage = (int) readVar(in);
    int[] counts = new int[stage + 1];
    int total = 0;
    for (int s = 0; s <= stage; s++) {
      counts[s] = (int) readVar(in);
      total += counts[s];
    }
    long start = in.readLong();
    long stageStart = start + unzigzag(readVar(in));
    boolean absent = (flags & 2) != 0;
    long deadline = absent ? start + unzigzag(readVar(in)) : Long.MIN_VALUE;
    long[] positions = new long[total];
    long prev = 0;
    for (int k = 0; k < total; k++) {
      prev += unzigzag(readVar(in));
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

  private static void writeVar(DataOutputStream out, long v) throws IOException {
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  private static long readVar(DataInputStream in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("variable-length number longer than 10 bytes");
  }
}
