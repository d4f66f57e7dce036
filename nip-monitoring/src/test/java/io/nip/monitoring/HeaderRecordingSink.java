package io.nip.monitoring;

import io.nip.event.Headers;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sink that keeps each written value with the headers it was written with, as a Kafka sink writes them. */
final class HeaderRecordingSink<T> implements Sink<T> {
  /** One written record. */
  record Written<T>(T value, Headers headers) {
    String traceparent() {
      return headers.lastString("traceparent");
    }
  }

  private final String name;
  private final List<Written<T>> written = new CopyOnWriteArrayList<>();

  HeaderRecordingSink(String name) {
    this.name = name;
  }

  List<Written<T>> written() {
    return List.copyOf(written);
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
        written.add(new Written<>(value, context.currentHeaders()));
      }

      @Override
      public void close() {}
    };
  }
}
