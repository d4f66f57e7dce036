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
