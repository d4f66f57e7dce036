package io.nip.runtime.internal;

import io.nip.sink.Sink;
import io.nip.sink.SinkWriter;

/** The end of a chain: writes to the task's writer of a sink and counts what it wrote. */
public final class SinkOp extends Operator {
  private final Sink<Object> sink;
  private final Guard guard;
  private SinkWriter<Object> writer;
  long written;

  public SinkOp(Sink<Object> sink, Guard guard) {
    this.sink = sink;
    this.guard = guard;
  }

  @Override
  public void open(TaskRuntime runtime) {
    super.open(runtime);
    writer = runtime.createWriter(sink);
  }

  Sink<Object> sink() {
    return sink;
  }

  @Override
  public void process(Object value) {
    try {
      writer.write(value);
      written++;
    } catch (RuntimeException e) {
      Object r = guard.recover(value, e, v -> {
        writer.write(v);
        return v;
      });
      if (r != Guard.DROPPED) {
        written++;
      }
    }
  }

  @Override
  public void watermark(long watermark, int port) {}

  @Override
  public void barrier(long checkpointId, int port) {
    writer.flush();
  }

  @Override
  public void finish(int port) {
    writer.flush();
  }

  void flush() {
    writer.flush();
  }

  void commit(long checkpointId) {
    writer.commit(checkpointId);
  }

  @Override
  public void close() {
    writer.close();
  }
}
