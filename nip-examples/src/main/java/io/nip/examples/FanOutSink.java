package io.nip.examples;

import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes every record to several sinks, e.g. dead letters to a Kafka topic and to a file, where
 * an error policy takes one sink. Each task's writer holds one writer of each sink; flush and
 * close reach all of them. Used by exercises 1 and 3.
 *
 * <pre>{@code
 * ErrorPolicy.deadLetter(new FanOutSink<>("dead-letters", List.of(kafkaDlq, fileDlq)));
 * }</pre>
 *
 * @param <T> the record type
 */
public final class FanOutSink<T> implements Sink<T> {
  private final String name;
  private final List<Sink<? super T>> sinks;

  /**
   * @param name the sink's name
   * @param sinks where every record goes, in this order
   */
  public FanOutSink(String name, List<Sink<? super T>> sinks) {
    this.name = name;
    this.sinks = List.copyOf(sinks);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    List<SinkWriter<? super T>> writers = new ArrayList<>();
    for (Sink<? super T> s : sinks) {
      writers.add(s.createWriter(context));
    }
    return new SinkWriter<>() {
      @Override
      public void write(T value) {
        for (SinkWriter<? super T> w : writers) {
          w.write(value);
        }
      }

      @Override
      public void flush() {
        writers.forEach(SinkWriter::flush);
      }

      @Override
      public void commit(long checkpointId) {
        writers.forEach(w -> w.commit(checkpointId));
      }

      @Override
      public void close() {
        RuntimeException first = null;
        for (SinkWriter<? super T> w : writers) {
          try {
            w.close();
          } catch (RuntimeException e) {
            if (first == null) {
              first = e;
            }
          }
        }
        if (first != null) {
          throw first;
        }
      }
    };
  }
}
