package io.nip.runtime.internal;

import io.nip.event.Headers;
import io.nip.source.SourcePosition;

/**
 * A slice of one upstream task's output for one downstream task: records (key, value, timestamp,
 * headers, position) followed by optional control signals that apply after them. Handed over whole
 * through an {@link Inbox}, so the exchange costs one queue operation per batch, not per record.
 *
 * <p>Headers and non-offset positions are rare on the hot path, so their arrays are created only
 * when a batch first carries one; a null array (or a null slot) means {@link Headers#EMPTY} /
 * "the position is in {@link #positions}".
 */
final class Batch {
  static final long NO_WATERMARK = Long.MIN_VALUE;
  static final byte STATUS_NONE = 0;
  static final byte STATUS_IDLE = 1;
  static final byte STATUS_ACTIVE = 2;

  final int channel;
  final int input;
  Object[] keys;
  Object[] values;
  long[] timestamps;
  long[] positions;
  /** Null until a record with a non-offset position is added. */
  SourcePosition[] positionRefs;
  /** Null until a record with headers is added. */
  Headers[] headers;
  int size;
  long watermark = NO_WATERMARK;
  long barrier = -1;
  byte status = STATUS_NONE;
  boolean end;
  /** Set by {@link Inbox#offer}: whether the batch took a shared place (else one of its channel's own). */
  boolean shared;
  /** {@link TaskRuntime#ingestMillis} of the batch's first record: when it entered the pipeline. */
  long ingestMillis;

  Batch(int channel, int input, int capacity) {
    this.channel = channel;
    this.input = input;
    this.keys = new Object[capacity];
    this.values = new Object[capacity];
    this.timestamps = new long[capacity];
    this.positions = new long[capacity];
  }

  boolean add(Object key, Object value, long timestamp, long position, SourcePosition positionRef,
      Headers recordHeaders) {
    keys[size] = key;
    values[size] = value;
    timestamps[size] = timestamp;
    positions[size] = position;
    if (positionRef != null) {
      if (positionRefs == null) {
        positionRefs = new SourcePosition[values.length];
      }
      positionRefs[size] = positionRef;
    }
    if (!recordHeaders.isEmpty()) {
      if (headers == null) {
        headers = new Headers[values.length];
      }
      headers[size] = recordHeaders;
    }
    return ++size == values.length;
  }

  /**
   * @param i a record index
   * @return its headers, never null
   */
  Headers headersAt(int i) {
    Headers h = headers == null ? null : headers[i];
    return h == null ? Headers.EMPTY : h;
  }

  /**
   * @param i a record index
   * @return its non-offset position, or null
   */
  SourcePosition positionRefAt(int i) {
    return positionRefs == null ? null : positionRefs[i];
  }
}
