package io.nip.testing.internal;

import io.nip.sink.Sink;
import io.nip.sink.SinkWriter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records everything written to every sink, for the test driver: bound in place of each sink, it
 * creates the real sink's writer and wraps it, so the real sink still receives the records.
 * Single-threaded, like the driver.
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

  /**
   * @param sink a sink of the pipeline
   * @return a sink that records what is written to {@code sink} and passes it on
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Sink<?> bind(Sink<?> sink) {
    return new Sink<Object>() {
      @Override
      public String name() {
        return sink.name();
      }

      @Override
      public SinkWriter<Object> createWriter(io.nip.sink.SinkContext context) {
        return wrap(sink, ((Sink) sink).createWriter(context));
      }
    };
  }

  private <T> SinkWriter<T> wrap(Sink<?> sink, SinkWriter<T> writer) {
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
