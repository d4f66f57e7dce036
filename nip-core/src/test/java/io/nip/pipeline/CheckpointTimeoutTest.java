package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ErrorPolicy;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.sink.Sinks;
import io.nip.state.CheckpointStorage;
import io.nip.state.ValueState;
import io.nip.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The threaded runtime with {@code checkpointEveryEvents} and {@code checkpointTimeout}: a
 * checkpoint whose keyed task hangs in its sink's flush is aborted once the (virtual) timeout
 * passed, the next checkpoint completes when the task recovers, and a pipeline restored after a
 * crash resumes exactly from that one — every number in state once.
 */
class CheckpointTimeoutTest {
  private static final Instant START = Instant.parse("2026-01-17T17:00:00Z");

  /** Collects sums; its first flush (the barrier of checkpoint 1) hangs until released; fails on a value above a bound. */
  static final class HangingSink implements Sink<Map.Entry<Long, Long>> {
    final CountDownLatch flushEntered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean hung = new AtomicBoolean();
    final CollectingSink<Map.Entry<Long, Long>> out = Sinks.collecting("sums");
    volatile long failAbove = Long.MAX_VALUE;

    @Override
    public String name() {
      return "sums";
    }

    @Override
    public SinkWriter<Map.Entry<Long, Long>> createWriter(SinkContext context) {
      SinkWriter<Map.Entry<Long, Long>> inner = out.createWriter(context);
      return new SinkWriter<>() {
        @Override
        public void write(Map.Entry<Long, Long> value) {
          if (value.getValue() > failAbove) {
            throw new IllegalStateException("crash at " + value);
          }
          inner.write(value);
        }

        @Override
        public void flush() {
          if (hung.compareAndSet(false, true)) {
            flushEntered.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }

        @Override
        public void close() {
          inner.close();
        }
      };
    }
  }

  private static Pipeline pipeline(CheckpointRestartTest.Numbers source, Sink<Map.Entry<Long, Long>> sink, Path dir,
      ManualClock clock, SimpleMeterRegistry registry) {
    Pipeline p = Pipeline.named("timeouts", PipelineConfig.builder().threads(2).parallelism(1).batchSize(16)
        .clock(clock).meterRegistry(registry).errorPolicy(ErrorPolicy.fail())
        .commitInterval(Duration.ofHours(1)).checkpointEveryEvents(50).checkpointTimeout(Duration.ofSeconds(30))
        .checkpointStorage(CheckpointStorage.localDirectory(dir)).build());
    p.from(source)
        .keyBy(v -> v % 7, Serdes.json(Long.class))
        .process((KeyedProcessor<Long, Long, Map.Entry<Long, Long>>) (key, value, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + value);
          // the value in the entry is the record, so that the sink can fail on a given record
          ctx.emit(Map.entry(key, value));
        }, Op.named("summer"))
        .to(sink);
    return p;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(2);
    }
  }

  @Test
  void when_a_task_hangs_past_the_timeout_then_its_checkpoint_is_aborted_the_next_completes_and_a_restore_is_exact(
      @TempDir Path dir) throws InterruptedException {
    // Given a pipeline checkpointing every 50 records whose sink hangs at the first barrier
    ManualClock clock = new ManualClock(START);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CheckpointRestartTest.Numbers numbers = new CheckpointRestartTest.Numbers(1);
    HangingSink sink = new HangingSink();
    CheckpointStorage storage = CheckpointStorage.localDirectory(dir);
    numbers.limit.set(100);
    PipelineHandle h = pipeline(numbers, sink, dir, clock, registry).start();
    assertThat(sink.flushEntered.await(30, TimeUnit.SECONDS)).as("checkpoint 1 reached the sink").isTrue();

    // When the virtual clock passes the 30 s timeout while the keyed task hangs
    clock.advance(Duration.ofSeconds(31));
    await("checkpoint 1 aborted", () -> registry.counter("nip.checkpoints.aborted", "pipeline", "timeouts").count() == 1.0);

    // Then nothing was completed; once the task recovers, checkpoint 2 (at record 100) completes
    assertThat(storage.latestCompleted()).isEmpty();
    sink.release.countDown();
    await("checkpoint 2 completed", () -> storage.latestCompleted().equals(OptionalLong.of(2)));
    assertThat(dir.resolve("chk-1").resolve("_COMPLETED")).as("the aborted checkpoint never completes").doesNotExist();
    assertThat(sink.out.values()).hasSize(100);

    // When the pipeline crashes after reading 20 more records (no checkpoint after 2)
    sink.failAbove = 110;
    numbers.limit.set(120);
    assertThat(awaitEnd(h)).isEqualTo(PipelineHandle.Status.FAILED);
    assertThat(storage.latestCompleted()).isEqualTo(OptionalLong.of(2));

    // And a fresh pipeline restores from checkpoint 2 and reads on to 200
    CheckpointRestartTest.Numbers again = new CheckpointRestartTest.Numbers(1);
    again.limit.set(200);
    HangingSink sink2 = new HangingSink();
    sink2.hung.set(true);
    SimpleMeterRegistry registry2 = new SimpleMeterRegistry();
    PipelineHandle h2 = pipeline(again, sink2, dir, new ManualClock(START), registry2).start();
    await("records 101..200 processed", () -> sink2.out.size() >= 100);
    h2.stop();
    assertThat(awaitEnd(h2)).isEqualTo(PipelineHandle.Status.COMPLETED);

    // Then it read exactly records 101..200, and its state holds each of 1..200 once
    assertThat(sink2.out.values()).extracting(Map.Entry::getValue)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(101, 200).boxed().toList());
    assertThat(registry2.counter("nip.checkpoints.aborted", "pipeline", "timeouts").count()).isZero();
    assertThat(restoredSums(dir)).isEqualTo(referenceSums(200));
  }

  private static PipelineHandle.Status awaitEnd(PipelineHandle h) {
    try {
      h.awaitTermination(Duration.ofSeconds(30));
    } catch (RuntimeException expectedForAFailedPipeline) {
      // awaitTermination rethrows the failure
    }
    return h.status();
  }

  /** The sums in the latest checkpoint, read by a third run that reads nothing new. */
  private static Map<Long, Long> restoredSums(Path dir) throws InterruptedException {
    CheckpointRestartTest.Numbers none = new CheckpointRestartTest.Numbers(1);
    none.limit.set(200);
    Map<Long, Long> sums = new java.util.concurrent.ConcurrentHashMap<>();
    Pipeline p = Pipeline.named("timeouts", PipelineConfig.builder().threads(1).parallelism(1)
        .clock(new ManualClock(START)).commitInterval(Duration.ofHours(1))
        .checkpointStorage(CheckpointStorage.localDirectory(dir)).build());
    p.from(none)
        .keyBy(v -> v % 7, Serdes.json(Long.class))
        .process((KeyedProcessor<Long, Long, Map.Entry<Long, Long>>) (key, value, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sums.put(key, sum.valueOr(0L));
        }, Op.named("summer"))
        .to(Sinks.collecting("sums"));
    // one more record per key reveals each key's restored sum without changing it
    none.limit.set(207);
    PipelineHandle h = p.start();
    await("the probe records", () -> sums.size() == 7);
    h.stop();
    awaitEnd(h);
    return new HashMap<>(sums);
  }

  private static Map<Long, Long> referenceSums(long upTo) {
    Map<Long, Long> reference = new HashMap<>();
    for (long v = 1; v <= upTo; v++) {
      reference.merge(v % 7, v, Long::sum);
    }
    return reference;
  }
}
