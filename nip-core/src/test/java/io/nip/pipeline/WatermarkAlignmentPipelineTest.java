package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Watermark alignment on the threaded runtime: a fast collection is merged with a slow paced source
 * covering the same event time. With alignment, no fast record reaches the keyed stage more than the
 * drift, and the batches on their way when a pause begins, ahead of the slow side's watermark
 * (without it, the lead grows to most of the 200 s); checkpoints taken meanwhile neither stall nor
 * lose anything, and every record comes out once.
 */
class WatermarkAlignmentPipelineTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration DRIFT = Duration.ofSeconds(10);
  private static final int FAST = 20_000;
  private static final int SLOW = 2_000;
  private static final int BATCH = 64;
  private static final int SHARED_PLACES = 4;

  record Ev(boolean fast, int i, long time) {}

  /** One partition, {@value #SLOW} records 100 ms of event time apart, one per 500 µs of wall time (1 s in all). */
  private static final class PacedSource implements Source<Ev> {
    @Override
    public String name() {
      return "slow";
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
    public SourceReader<Ev> createReader(int partition, SourceContext context, SourcePosition startPosition) {
      return new SourceReader<>() {
        final long start = System.nanoTime();
        int next = startPosition.isOffset() ? (int) startPosition.offset() : 0;

        @Override
        public Status poll(SourceOutput<Ev> output, int maxRecords) {
          if (next >= SLOW) {
            return Status.END_OF_INPUT;
          }
          long due = Math.min(SLOW, 1 + (System.nanoTime() - start) / 500_000);
          if (next >= due) {
            return Status.NOTHING_AVAILABLE;
          }
          for (int n = 0; n < maxRecords && next < due; n++, next++) {
            long time = T0.toEpochMilli() + next * 100L;
            output.emit(new Ev(false, next, time), null, next, time);
          }
          return Status.MORE_AVAILABLE;
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

  /** Measures, for each fast record, how far it leads the slow side's input watermark. */
  private static final class Lead implements KeyedProcessor<Integer, Ev, Ev> {
    static volatile io.micrometer.core.instrument.MeterRegistry registry;
    static final AtomicLong mostPaused = new AtomicLong();
    static final AtomicLong measured = new AtomicLong();
    static final AtomicLong maxLeadMillis = new AtomicLong(Long.MIN_VALUE);

    @Override
    public void process(Integer key, Ev e, KeyedContext<Integer, Ev> ctx) {
      Instant slow = ctx.inputWatermark("slow-side");
      if (e.fast() && slow.isAfter(T0.minusSeconds(60)) && slow.isBefore(Instant.MAX)) {
        if (measured.incrementAndGet() % 100 == 0) {
          double paused = registry.get("nip.watermark.alignment.paused").gauges().stream()
              .mapToDouble(io.micrometer.core.instrument.Gauge::value).sum();
          mostPaused.accumulateAndGet((long) paused, Math::max);
        }
        maxLeadMillis.accumulateAndGet(e.time() - slow.toEpochMilli(), Math::max);
      }
      ctx.emit(e);
    }
  }

  @Test
  void when_inputs_are_aligned_then_the_fast_one_waits_for_the_slow_one_and_checkpoints_go_on() {
    PipelineConfig config = PipelineConfig.builder().threads(2).parallelism(1).batchSize(BATCH)
        .exchangeCapacity(SHARED_PLACES).commitInterval(Duration.ofMillis(100)).watermarkAlignment(DRIFT)
        .meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).build();
    Lead.registry = config.meterRegistry();
    Pipeline p = Pipeline.named("aligned", config);
    List<Ev> fast = IntStream.range(0, FAST).mapToObj(i -> new Ev(true, i, T0.toEpochMilli() + i * 10L)).toList();
    // one partition, read as fast as the keyed stage takes it: 200 s of event time in a fraction of a second
    WatermarkStrategy<Ev> inOrder =
        WatermarkStrategy.<Ev>boundedOutOfOrderness(Duration.ZERO).withTimestamps(e -> Instant.ofEpochMilli(e.time()));
    Stream<Ev> fastStream = p.from(Sources.collection("fast", fast), inOrder);
    Stream<Ev> slowStream = p.from(new PacedSource(), inOrder).map(e -> e, Op.named("slow-side"));
    CollectingSink<Ev> out = Sinks.collecting("out");
    fastStream.merge(slowStream).keyBy(e -> e.i() % 8).process(new Lead()).to(out);

    try (PipelineHandle h = p.start()) {
      assertThat(h.awaitTermination(Duration.ofSeconds(60))).as("no stall").isTrue();
      assertThat(h.failure()).isEmpty();
    }

    List<Ev> values = new ArrayList<>(out.values());
    assertThat(values).hasSize(FAST + SLOW).doesNotHaveDuplicates();
    // one keyed task, so a batch holds 64 consecutive fast records (640 ms of event time);
    // the watermark that pauses the fast channel comes after the batch that crossed the drift, and
    // by then up to its 2 own places, the shared ones and the producer's pending batch are on their
    // way; a checkpoint lets the paused channel hand over the batch before its barrier and the one
    // that carries it, and barrier alignment holds up to SHARED_PLACES batches that are consumed
    // after it: 14 batches of 64 records 10 ms apart beyond the drift at most
    long bound = DRIFT.toMillis() + (1 + 2 + SHARED_PLACES + 1 + 2 + SHARED_PLACES) * BATCH * 10L;
    assertThat(Lead.measured.get()).as("fast records seen while the slow side had a watermark").isGreaterThan(FAST / 2);
    assertThat(config.meterRegistry().get("nip.checkpoints.duration").timer().count()).as("checkpoints completed")
        .isPositive();
    assertThat(Lead.mostPaused.get()).as("the gauge of channels held back showed the fast one").isEqualTo(1);
    assertThat(config.meterRegistry().get("nip.watermark.alignment.paused").gauge().value()).as("at the end")
        .isZero();
    assertThat(Lead.maxLeadMillis.get()).as("the largest lead of a fast record over the slow side's watermark, ms")
        .isLessThanOrEqualTo(bound);
  }
}
