package io.nip.sink.internal;

import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.util.function.Consumer;

/**
 * Hands every record to a callback. The sink adds no locking: each task's writer calls the same
 * callback from its own thread, so a callback shared by several tasks must be thread-safe (the
 * public factory says so). An optional flush action runs on flush and close (the print sink
 * flushes its stream there).
 *
 * @param <T> the value type
 */
public final class ForEachSink<T> implements Sink<T> {
  private final String name;
  private final Consumer<? super T> action;
  private final Runnable flush;

  /**
   * @param name sink name
   * @param action called once per record
   */
  public ForEachSink(String name, Consumer<? super T> action) {
    this(name, action, () -> { });
  }

  /**
   * @param name sink name
   * @param action called once per record
   * @param flush called on flush and close
   */
  public ForEachSink(String name, Consumer<? super T> action, Runnable flush) {
    this.name = name;
    this.action = action;
    this.flush = flush;
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
      public void flush() {
        flush.run();
      }

      @Override
      public void close() {
        flush.run();
      }
    };
  }

  @Override
  public String toString() {
    return "forEach(" + name + ")";
  }
}
