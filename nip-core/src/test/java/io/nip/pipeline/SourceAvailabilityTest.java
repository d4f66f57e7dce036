package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A reader filled by a background thread tells the runtime when records arrive. */
class SourceAvailabilityTest {

  /** One partition filled by a feeder thread, which runs the availability callback after each burst. */
  static final class FedSource implements Source<Integer> {
    final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    final AtomicReference<Runnable> listener = new AtomicReference<>();
    volatile boolean fed;
    private long position;

    @Override
    public String name() {
      return "fed";
    }

    @Override
    public int partitions() {
      return 1;
    }

    @Override
    public boolean isBounded() {
      return true;
    }

    @Override
    public SourceReader<Integer> createReader(int partition, SourceContext context, SourcePosition startPosition) {
      return new SourceReader<>() {
        @Override
        public Status poll(SourceOutput<Integer> output, int maxRecords) {
          boolean done = fed;
          int n = 0;
          Integer v;
          while (n < maxRecords && (v = queue.poll()) != null) {
            output.emit(v, null, position++, 0L);
            n++;
          }
          if (n > 0) {
            return Status.MORE_AVAILABLE;
          }
          return done && queue.isEmpty() ? Status.END_OF_INPUT : Status.NOTHING_AVAILABLE;
        }

        @Override
        public void onAvailable(Runnable l) {
          listener.set(l);
        }

        @Override
        public SourcePosition position() {
          return SourcePosition.ofOffset(position);
        }

        @Override
        public void close() {}
      };
    }
  }

  @Test
  void when_a_background_thread_fills_a_reader_in_bursts_then_the_reader_gets_a_wake_up_callback_and_everything_is_read()
      throws Exception {
    // Given: a pipeline over a source that is empty at first
    FedSource source = new FedSource();
    CollectingSink<Integer> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("fed", PipelineConfig.builder().threads(2).build());
    p.from(source).map(i -> i * 2).to(out);
    PipelineHandle h = p.start();

    // When: a feeder adds 20 bursts of 50 records, waking the runtime after each
    Thread feeder = new Thread(() -> {
      for (int burst = 0; burst < 20; burst++) {
        for (int i = 0; i < 50; i++) {
          source.queue.add(burst * 50 + i);
        }
        Runnable l = source.listener.get();
        if (l != null) {
          l.run();
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
      source.fed = true;
      source.listener.get().run();
    });
    feeder.start();
    feeder.join();

    // Then: the reader got the callback before reading, and every record came through once, in order
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(source.listener.get()).isNotNull();
    assertThat(out.values()).isEqualTo(IntStream.range(0, 1000).mapToObj(i -> i * 2).toList());
  }
}
