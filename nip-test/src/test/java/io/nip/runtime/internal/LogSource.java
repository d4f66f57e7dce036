package io.nip.runtime.internal;

import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.util.ArrayList;
import java.util.List;

/** An append-only log of values that a test fills step by step; readers resume at any position. */
final class LogSource<T> implements Source<T> {
  private final String name;
  final List<T> log = new ArrayList<>();

  LogSource(String name) {
    this.name = name;
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
          output.emit(log.get((int) next), null, next, 0L);
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
