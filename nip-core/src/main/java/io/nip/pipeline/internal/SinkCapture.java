package io.nip.pipeline.internal;

import io.nip.sink.Sink;
import io.nip.sink.SinkWriter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records everything written to every sink, for the test driver. Wraps the real writers, so the
 * real sink still receives the records. Single-threaded, like the driver.
 */
public final class SinkCapture {
  private final Map<Sink<?>, List<Object>> outputs = new IdentityHashMap<>();

  /**
   * @param sink a sink of the pipeline
   * @return what was written to it so far, in order
   */
  public List<Object> output(Sink<?> sink) {
    return outputs.computeIfAbsent(sink, s -> new ArrayList<>());
  }

  /** @return every sink that received a record */
  public Map<Sink<?>, List<Object>> all() {
    return outputs;
  }

  <T> SinkWriter<T> wrap(Sink<?> sink, SinkWriter<T> writer) {
    List<Object> list = output(sink);
    return new SinkWriter<>() {
      @Override
      public void write(T value) {
        list.add(value);
        writer.write(value);
      }

      @Override
      public void flush() {
        writer.flush();
      }

      @Override
      public void commit(long checkpointId) {
        writer.commit(checkpointId);
      }

      @Override
      public void close() {
        writer.close();
      }
    };
  }
}
