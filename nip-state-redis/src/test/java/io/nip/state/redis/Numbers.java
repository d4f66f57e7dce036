package io.nip.state.redis;

import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A partitioned, replayable log of the numbers 1, 2, 3, ...: partition p holds the numbers
 * {@code n * partitions + p + 1}; a reader's position is the index of its next number, so a restart
 * from a checkpoint reads exactly what followed it. Readers stop at {@link #limit} (raise it to let
 * more through).
 */
final class Numbers implements Source<Long> {
  final AtomicLong limit = new AtomicLong();
  private final int partitions;

  Numbers(int partitions) {
    this.partitions = partitions;
  }

  @Override
  public String name() {
    return "numbers";
  }

  @Override
  public int partitions() {
    return partitions;
  }

  @Override
  public boolean isBounded() {
    return false;
  }

  @Override
  public SourceReader<Long> createReader(int partition, SourceContext context, SourcePosition startPosition) {
    return new SourceReader<>() {
      long next = SourcePosition.offsetOr(startPosition, 0);

      @Override
      public Status poll(SourceOutput<Long> output, int maxRecords) {
        int n = 0;
        while (n < maxRecords && next < limit.get()) {
          output.emit(next * partitions + partition + 1, null, next, next);
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
