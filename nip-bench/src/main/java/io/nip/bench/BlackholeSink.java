package io.nip.bench;

import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A sink that hands every record to a JMH {@link Blackhole} and counts it. Each writer counts in a
 * plain field (one writer per task, one thread per writer) and adds its count to the shared total
 * once, on close, so the per-record path has no synchronization.
 */
final class BlackholeSink implements Sink<Object> {
  private final Blackhole blackhole;
  private final AtomicLong total = new AtomicLong();

  BlackholeSink(Blackhole blackhole) {
    this.blackhole = blackhole;
  }

  @Override
  public String name() {
    return "blackhole";
  }

  @Override
  public SinkWriter<Object> createWriter(SinkContext context) {
    return new SinkWriter<>() {
      private long count;

      @Override
      public void write(Object value) {
        blackhole.consume(value);
        count++;
      }

      @Override
      public void close() {
        total.addAndGet(count);
      }
    };
  }

  /** @return records written by all writers that have closed */
  long total() {
    return total.get();
  }
}
