package io.nip.examples.analytics;

import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourceReader;

/**
 * Works around an engine behaviour at start-up: a partition that is not (yet) assigned is idle at
 * once, and idle channels do not hold back a keyed task's watermark. When a consumer group
 * starts, every partition is unassigned until the first join completes and stays idle until it
 * delivers its first record, so the first partition to deliver (or an empty one that ends at once,
 * moving its watermark to the end of time) sets the watermark alone, and the other partitions'
 * early events become late and miss their windows.
 *
 * <p>This wrapper reports a partition as assigned until it has delivered a record or ended; from
 * then on it reports the real assignment. A partition that never delivers here (another group
 * member owns it) becomes idle after the pipeline's idle timeout instead of at once, which only
 * delays window results, never drops events.
 */
final class FirstRecordAwareSource<T> implements Source<T> {
  private final Source<T> inner;

  FirstRecordAwareSource(Source<T> inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public int partitions() {
    return inner.partitions();
  }

  @Override
  public boolean isBounded() {
    return inner.isBounded();
  }

  @Override
  public SourceReader<T> createReader(int partition, SourceContext context, long startPosition) {
    SourceReader<T> reader = inner.createReader(partition, context, startPosition);
    return new SourceReader<>() {
      private boolean started;

      @Override
      public Status poll(SourceOutput<T> output, int maxRecords) {
        Status s = reader.poll(output, maxRecords);
        if (s != Status.NOTHING_AVAILABLE) {
          started = true;
        }
        return s;
      }

      @Override
      public boolean isAssigned() {
        return !started || reader.isAssigned();
      }

      @Override
      public long position() {
        return reader.position();
      }

      @Override
      public void commit(long position) {
        reader.commit(position);
      }

      @Override
      public void close() {
        reader.close();
      }
    };
  }
}
