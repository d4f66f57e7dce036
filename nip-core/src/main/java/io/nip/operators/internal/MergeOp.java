package io.nip.operators.internal;

import io.nip.runtime.internal.Operator;
import java.util.Arrays;

/**
 * Joins several inputs of the same task into one stream. Records pass straight through; the
 * watermark forwarded is the minimum over the inputs; end of input and barriers are forwarded once
 * every input has sent them.
 */
public final class MergeOp extends Operator {
  private final long[] watermarks;
  private final long[] barriers;
  private final boolean[] finished;
  private int finishedCount;
  private long forwarded = Long.MIN_VALUE;

  public MergeOp(int inputs) {
    watermarks = new long[inputs];
    barriers = new long[inputs];
    finished = new boolean[inputs];
    Arrays.fill(watermarks, Long.MIN_VALUE);
    Arrays.fill(barriers, -1);
  }

  @Override
  public void process(Object value) {
    out.process(value);
  }

  @Override
  public void watermark(long watermark, int port) {
    watermarks[port] = Math.max(watermarks[port], watermark);
    long min = Long.MAX_VALUE;
    boolean open = false;
    for (int i = 0; i < watermarks.length; i++) {
      if (!finished[i]) {
        open = true;
        min = Math.min(min, watermarks[i]);
      }
    }
    // the end-of-time watermark (every open input at Long.MAX_VALUE) is forwarded too: operators
    // downstream fire their remaining event-time timers on it before end of input arrives
    if (open && min > forwarded) {
      forwarded = min;
      out.watermark(min, outPort);
    }
  }

  @Override
  public void barrier(long checkpointId, int port) {
    barriers[port] = checkpointId;
    for (int i = 0; i < barriers.length; i++) {
      if (!finished[i] && barriers[i] < checkpointId) {
        return;
      }
    }
    out.barrier(checkpointId, outPort);
  }

  @Override
  public void finish(int port) {
    if (finished[port]) {
      return;
    }
    finished[port] = true;
    finishedCount++;
    if (finishedCount == finished.length) {
      out.finish(outPort);
    } else {
      watermark(watermarks[port], port);
    }
  }
}
