package io.nip.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps every record in memory, for tests and small demos. Thread-safe: writers of several tasks
 * append to one list.
 *
 * <pre>{@code
 * CollectingSink<String> out = Sinks.collecting("out");
 * stream.to(out);  ...  List<String> got = out.values();
 * }</pre>
 *
 * @param <T> the value type
 */
public final class CollectingSink<T> implements Sink<T> {
  private final String name;
  private final List<T> values = new ArrayList<>();

  CollectingSink(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  @Override
  public String name() {
    return name;
  }

  /** @return a copy of what was written so far, in arrival order */
  public List<T> values() {
    synchronized (values) {
      return new ArrayList<>(values);
    }
  }

  /** @return how many records were written */
  public int size() {
    synchronized (values) {
      return values.size();
    }
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    return new SinkWriter<>() {
      @Override
      public void write(T value) {
        synchronized (values) {
          values.add(value);
        }
      }

      @Override
      public void close() {}
    };
  }
}
