package io.nip.sink.internal;

import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.util.function.Consumer;

/**
 * Hands every record to a callback. The sink adds no locking: each task's writer calls the same
 * callback from its own thread, so a callback shared by several tasks must be thread-safe (the
 * public factory says so). Nothing is buffered, so flush and close have nothing to do.
 *
 * @param <T> the value type
 */
public final class ForEachSink<T> implements Sink<T> {
  private final String name;
  private final Consumer<? super T> action;

  /**
   * @param name sink name
   * @param action called once per record
   */
  public ForEachSink(String name, Consumer<? super T> action) {
    this.name = name;
    this.action = action;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    return new SinkWriter<>() {
      @Override
      public void write(T value) {
        action.accept(value);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String toString() {
    return "forEach(" + name + ")";
  }
}
