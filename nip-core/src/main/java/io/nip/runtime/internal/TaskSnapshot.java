package io.nip.runtime.internal;

import io.nip.errors.StateException;
import io.nip.source.SourcePosition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * One task's part of a checkpoint: its time bookkeeping (watermarks), the source position of a
 * source task, and the bytes of its keyed state and timer service.
 *
 * <p>Design: a flat, versioned binary record; the watermarks are part of it because a restored
 * task must judge lateness exactly as the uninterrupted one would (a watermark that restarted from
 * the beginning of time would accept events the original run sent to the late output).
 *
 * @param position the source position at the barrier (source tasks), else {@link SourcePosition#NONE}
 * @param maxTimestamp the largest event time the source task saw, or {@link Long#MIN_VALUE}
 * @param watermark the watermark the task had emitted
 * @param channelWatermarks per input channel (keyed tasks), else empty
 * @param channelIdle per input channel, whether it was idle (keyed tasks), else empty
 * @param ended whether the task's input had ended
 * @param state the keyed state and timers ({@link KeyedStateService#snapshot()})
 */
record TaskSnapshot(SourcePosition position, long maxTimestamp, long watermark, long[] channelWatermarks,
    boolean[] channelIdle, boolean ended,
    byte[] state) {
  private static final int MAGIC = 0x4e495054; // "NIPT"
  private static final int VERSION = 3;

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + state.length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      Bytes.write(out, position.toBytes());
      out.writeLong(maxTimestamp);
      out.writeLong(watermark);
      out.writeInt(channelWatermarks.length);
      for (int i = 0; i < channelWatermarks.length; i++) {
        out.writeLong(channelWatermarks[i]);
        out.writeBoolean(channelIdle[i]);
      }
      out.writeBoolean(ended);
      Bytes.write(out, state);
    } catch (IOException e) {
      throw new StateException("could not encode a task snapshot: " + e, e);
    }
    return bytes.toByteArray();
  }

  static TaskSnapshot decode(String taskId, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC) {
        throw new StateException("task " + taskId + ": not a task snapshot");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new StateException("task " + taskId + ": task snapshot version " + version + " is not supported");
      }
      SourcePosition position = SourcePosition.fromBytes(Bytes.read(in));
      long maxTs = in.readLong();
      long wm = in.readLong();
      int n = in.readInt();
      if (n < 0 || n > 1 << 20) {
        throw new StateException("task " + taskId + ": corrupt task snapshot (" + n + " channels)");
      }
      long[] channels = new long[n];
      boolean[] idle = new boolean[n];
      for (int i = 0; i < n; i++) {
        channels[i] = in.readLong();
        idle[i] = in.readBoolean();
      }
      boolean ended = in.readBoolean();
      byte[] state = Bytes.read(in);
      return new TaskSnapshot(position, maxTs, wm, channels, idle, ended, state);
    } catch (IOException e) {
      throw new StateException("task " + taskId + ": corrupt task snapshot (" + e + ")", e);
    }
  }
}
