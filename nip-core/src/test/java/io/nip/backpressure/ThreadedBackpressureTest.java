package io.nip.backpressure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.DeadLetter;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.source.Sources;
import io.nip.time.ManualClock;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Rate limits and buffers on the real runtime (worker threads), on a virtual clock: what passes
 * is decided by tokens and by what fits, never by how fast the machine is. Waits poll a condition
 * with a generous deadline; nothing is timed.
 */
class ThreadedBackpressureTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(2);
    }
  }

  private static List<Integer> numbers(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @Test
  void when_tokens_run_out_on_worker_threads_then_exactly_the_burst_and_then_the_rate_pass() throws Exception {
    ManualClock clock = new ManualClock(T0);
    Pipeline p = Pipeline.named("threaded-rate", PipelineConfig.builder().clock(clock).threads(2).build());
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.collection("nums", numbers(100), 2), WatermarkStrategy.processingTime())
        .rateLimit(new RateLimiter(10, 5)).to(out);
    PipelineHandle h = p.start();
    try {
      await(() -> out.size() == 5, "the burst of 5 passed");
      clock.advance(Duration.ofMillis(100));
      await(() -> out.size() == 6, "one more token after 100 ms");
      clock.advance(Duration.ofMillis(300));
      await(() -> out.size() == 9, "three more after 300 ms");
      assertThat(out.size()).isEqualTo(9);
      clock.advance(Duration.ofSeconds(10)); // records waited all along: 100 tokens, the 91 left pass
      assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
      assertThat(new HashSet<>(out.values())).isEqualTo(new HashSet<>(numbers(100)));
    } finally {
      clock.advance(Duration.ofDays(1)); // tokens for whatever still waits, so that close() can drain
      h.close();
    }
  }

  /**
   * One partition holding 1 to 5: it delivers them all, then reports that it was assigned to this
   * instance again (a consumer group moved it away and back) and resumes at the committed offset 2
   * (record 3), as the Kafka reader does.
   */
  private static final class ReassignedSource implements Source<Integer> {
    final AtomicInteger position = new AtomicInteger();
    final AtomicInteger assignments = new AtomicInteger();

    @Override
    public String name() {
      return "moved";
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
    public SourceReader<Integer> createReader(int partition, SourceContext context, SourcePosition start) {
      return new SourceReader<>() {
        @Override
        public Status poll(SourceOutput<Integer> output, int maxRecords) {
          if (position.get() == 5 && assignments.get() == 0) {
            assignments.incrementAndGet();
            position.set(2);
            return Status.ASSIGNED;
          }
          if (position.get() == 5) {
            return Status.END_OF_INPUT;
          }
          for (int n = 0; n < maxRecords && position.get() < 5; n++) {
            int at = position.getAndIncrement();
            output.emit(at + 1, at);
          }
          return Status.MORE_AVAILABLE;
        }

        @Override
        public SourcePosition position() {
          return SourcePosition.ofOffset(position.get());
        }

        @Override
        public void close() {}
      };
    }
  }

  @Test
  void when_a_partition_is_assigned_again_then_records_buffered_from_the_earlier_assignment_are_not_processed()
      throws Exception {
    // Given 1 and 2 passed, 3 waits for a token, 4 and 5 wait in the buffer
    ManualClock clock = new ManualClock(T0);
    Pipeline p = Pipeline.named("reassigned", PipelineConfig.builder().clock(clock).threads(1)
        .bufferManager(BufferManager.of(3, BackpressureStrategy.BLOCK)).build());
    CollectingSink<Integer> out = Sinks.collecting("out");
    ReassignedSource source = new ReassignedSource();
    p.from(source, WatermarkStrategy.processingTime()).rateLimit(new RateLimiter(1, 2)).to(out);
    PipelineHandle h = p.start();
    try {
      // When the reader reports a new assignment and reads 3, 4, 5 again from the committed offset
      await(() -> source.assignments.get() == 1 && source.position.get() == 5, "the partition was read again");
      clock.advance(Duration.ofSeconds(10));
      assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
      // Then 4 and 5 of the earlier assignment were forgotten (3 had entered the chain already)
      assertThat(out.values()).containsExactly(1, 2, 3, 3, 4, 5);
    } finally {
      clock.advance(Duration.ofDays(1)); // tokens for whatever still waits, so that close() can drain
      h.close();
    }
  }

  @Test
  void when_keyed_tasks_fall_behind_then_drop_newest_sheds_exactly_what_does_not_fit() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    int n = 20_000;
    Pipeline p = Pipeline.named("threaded-drop", PipelineConfig.builder().threads(2).parallelism(1).batchSize(64)
        .exchangeCapacity(2).meterRegistry(registry)
        .bufferManager(BufferManager.of(100, BackpressureStrategy.DROP_NEWEST).withDeadLetters(dlq)).build());
    CountDownLatch release = new CountDownLatch(1);
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.collection("nums", numbers(n), 1), WatermarkStrategy.processingTime())
        .keyBy(i -> i % 7)
        .process((KeyedProcessor<Integer, Integer, Integer>) (key, value, ctx) -> {
          try {
            release.await(); // a keyed stage stuck until the source was read to its end
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ctx.emit(value);
        })
        .to(out);
    PipelineHandle h = p.start();
    try {
      await(() -> registry.find("nip.source.records").functionCounter() != null
          && registry.find("nip.source.records").functionCounter().count() == n, "the source was read to its end");
      release.countDown();
      assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
      double dropped = registry.find("nip.buffer.dropped").counter().count();
      // Then drops + processed = input, exactly; each drop dead-lettered once; nothing processed twice
      assertThat(out.size() + (long) dropped).isEqualTo(n);
      assertThat(dlq.size()).isEqualTo((int) dropped);
      Set<Integer> seen = new HashSet<>(out.values());
      assertThat(seen).hasSize(out.size());
      List<Integer> droppedValues = new ArrayList<>();
      dlq.values().forEach(d -> droppedValues.add(Integer.valueOf(d.value())));
      seen.addAll(droppedValues);
      assertThat(seen).isEqualTo(new HashSet<>(numbers(n)));
      // and at most the buffer, the exchange and one keyed batch were kept: the rest was shed
      assertThat(dropped).isGreaterThan(n - 1_000);
    } finally {
      release.countDown();
      h.close();
    }
  }
}
