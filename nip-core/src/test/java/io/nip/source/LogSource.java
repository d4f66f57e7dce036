package io.nip.source;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;

/**
 * Test support: an append-only log of values (one partition) that a test fills step by step,
 * unbounded like a topic; readers resume at any offset, and each value's source timestamp comes
 * from a function of it.
 *
 * @param <T> the value type
 */
public final class LogSource<T> implements Source<T> {
  private final String name;
  private final ToLongFunction<T> timestamp;
  /** The log; tests append to it. */
  public final List<T> log = new CopyOnWriteArrayList<>();

  /**
   * @param name the source name
   * @param timestamp the source timestamp of a value, epoch millis
   */
  public LogSource(String name, ToLongFunction<T> timestamp) {
    this.name = name;
    this.timestamp = timestamp;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int partitions() {
    return 1;
  }

  @Override
  public boolean isBounded() {
    return false;
  }

  @Override
  public SourceReader<T> createReader(int partition, SourceContext context, SourcePosition startPosition) {
    return new SourceReader<>() {
      long next = SourcePosition.offsetOr(startPosition, 0);

      @Override
      public Status poll(SourceOutput<T> output, int maxRecords) {
        int n = 0;
        while (n < maxRecords && next < log.size()) {
          T value = log.get((int) next);
          output.emit(value, null, next, timestamp.applyAsLong(value));
          next++;
          n++;
        }
        return n > 0 ? Status.MORE_AVAILABLE : Status.NOTHING_AVAILABLE;
      }

      @Override
      public SourcePosition position() {
        return SourcePosition.ofOffset(next);
      }

      @Override
      public void close() {}
    };
  }
}
