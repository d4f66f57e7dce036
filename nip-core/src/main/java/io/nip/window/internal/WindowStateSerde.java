package io.nip.window.internal;

import io.nip.errors.StateException;
import io.nip.serde.Serde;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Writes the open windows of one key (start → window) for snapshots: bounds, firing flags, the
 * global-window count, the creation sequence (which orders the firing of windows that end
 * together), the source positions a window holds back, and the accumulator through the aggregate's
 * own serde. A closed session marker has no accumulator.
 *
 * <p>Without an accumulator serde the aggregate cannot be snapshotted: serializing then fails with a
 * message that names the window operator and the remedy.
 */
final class WindowStateSerde implements Serde<NavigableMap<Long, WindowOp.Win>> {
  /** Format 2 adds a window's pending FIRE time when it is before its end (flag 16); 1 is still read. */
  private static final byte VERSION = 2;
  private static final int FLAG_FIRE_AT = 16;
  private final String operator;
  private final Serde<Object> accumulators;

  WindowStateSerde(String operator, Serde<Object> accumulators) {
    this.operator = operator;
    this.accumulators = accumulators;
  }

  @Override
  public byte[] serialize(NavigableMap<Long, WindowOp.Win> windows) {
    if (accumulators == null) {
      throw new StateException("window '" + operator + "' cannot snapshot its state: its aggregate declares no "
          + "accumulatorSerde() (give a custom aggregate one with Aggregate.withAccumulatorSerde)");
    }
    StateOutput out = new StateOutput(64 + 64 * windows.size());
    try {
      out.writeByte(VERSION);
      out.writeInt(windows.size());
      for (WindowOp.Win w : windows.values()) {
        out.writeLong(w.start);
        out.writeLong(w.end);
        out.writeLong(w.seq);
        out.writeLong(w.count);
        boolean fireAt = !w.fired && w.fireAt != Long.MIN_VALUE && w.fireAt != w.end;
        out.writeByte((w.fired ? 1 : 0) | (w.closed ? 2 : 0) | (w.dirty ? 4 : 0) | (w.earlyTimer ? 8 : 0)
            | (fireAt ? FLAG_FIRE_AT : 0));
        if (fireAt) {
          out.writeLong(w.fireAt);
        }
        if (w.minPos == null) {
          out.writeInt(-1);
        } else {
          out.writeInt(w.minPos.length);
          for (long p : w.minPos) {
            out.writeLong(p);
          }
        }
        if (!w.closed) {
          AccumulatorSerdes.writeSized(out, accumulators, w.acc);
        }
      }
    } catch (IOException e) {
      throw new StateException("window '" + operator + "': could not serialize its state: " + e, e);
    }
    return out.toByteArray();
  }

  @Override
  public NavigableMap<Long, WindowOp.Win> deserialize(byte[] bytes) {
    if (accumulators == null) {
      throw new StateException("window '" + operator + "' cannot restore its state: its aggregate declares no "
          + "accumulatorSerde()");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes); // a state read per fired window: no stream objects
    try {
      byte version = in.get();
      if (version != VERSION && version != 1) {
        throw new StateException("window '" + operator + "': state format " + version + " is not supported");
      }
      int n = in.getInt();
      NavigableMap<Long, WindowOp.Win> windows = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        long start = in.getLong();
        long end = in.getLong();
        WindowOp.Win w = new WindowOp.Win(start, end, null);
        w.seq = in.getLong();
        w.count = in.getLong();
        int flags = in.get();
        w.fired = (flags & 1) != 0;
        w.closed = (flags & 2) != 0;
        w.dirty = (flags & 4) != 0;
        w.earlyTimer = (flags & 8) != 0;
        if (version == 1) {
          w.fireAt = Long.MIN_VALUE; // unknown: an earlier build kept no pending FIRE time
        } else if ((flags & FLAG_FIRE_AT) != 0) {
          w.fireAt = in.getLong();
        } else {
          w.fireAt = w.fired ? Long.MIN_VALUE : end;
        }
        int positions = in.getInt();
        if (positions >= 0) {
          w.minPos = new long[positions];
          for (int p = 0; p < positions; p++) {
            w.minPos[p] = in.getLong();
          }
        }
        if (!w.closed) {
          int len = in.getInt();
          if (len < 0 || len > in.remaining()) {
            throw new StateException("window '" + operator + "': corrupt state (accumulator of " + len + " bytes)");
          }
          byte[] acc = new byte[len];
          in.get(acc);
          w.acc = accumulators.deserialize(acc);
        }
        windows.put(start, w);
      }
      return windows;
    } catch (BufferUnderflowException e) {
      throw new StateException("window '" + operator + "': corrupt state: it ends early (" + bytes.length
          + " bytes)", e);
    }
  }
}
