package io.nip.sink.internal;

import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.io.PrintStream;
import java.util.function.Function;

/** One line per record on a print stream; lines of concurrent writers never interleave. */
public final class PrintSink<T> implements Sink<T> {
  private final String name;
  private final PrintStream out;
  private final Function<? super T, String> format;

  /**
   * @param name sink name
   * @param out the stream
   * @param format record to line
   */
  public PrintSink(String name, PrintStream out, Function<? super T, String> format) {
    this.name = name;
    this.out = out;
    this.format = format;
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
        String line = format.apply(value);
        synchronized (out) {
          out.println(line);
        }
      }

      @Override
      public void flush() {
        out.flush();
      }

      @Override
      public void close() {
        out.flush();
      }
    };
  }
}
