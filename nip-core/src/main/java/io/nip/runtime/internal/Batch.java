package io.nip.runtime.internal;

/**
 * A slice of one upstream task's output for one downstream task: records (key, value, timestamp)
 * followed by optional control signals that apply after them. Handed over whole through an
 * {@link Inbox}, so the exchange costs one queue operation per batch, not per record.
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
  int size;
  long watermark = NO_WATERMARK;
  long barrier = -1;
  byte status = STATUS_NONE;
  boolean end;

  Batch(int channel, int input, int capacity) {
    this.channel = channel;
    this.input = input;
    this.keys = new Object[capacity];
    this.values = new Object[capacity];
    this.timestamps = new long[capacity];
    this.positions = new long[capacity];
  }

  boolean add(Object key, Object value, long timestamp, long position) {
    keys[size] = key;
    values[size] = value;
    timestamps[size] = timestamp;
    positions[size] = position;
    return ++size == values.length;
  }
}
