package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.state.ValueState;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * {@code checkpointEveryEvents} under the test driver: the source reads no further than the
 * count, so each barrier falls exactly after every N-th record, whatever the batch size, and a
 * pipeline restarted from any of those checkpoints resumes exactly there.
 */
class CheckpointEveryEventsTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /** Keeps every checkpoint, completed or not, and can pretend a later one never completed. */
  static final class KeepAllStorage implements CheckpointStorage {
    final Map<Long, Map<String, byte[]>> parts = new TreeMap<>();
    final List<Long> completed = new ArrayList<>();
    long visibleUpTo = Long.MAX_VALUE;

    @Override
    public String name() {
      return "keep-all";
    }

    @Override
    public synchronized void write(long checkpointId, String taskId, byte[] snapshot) {
      parts.computeIfAbsent(checkpointId, k -> new HashMap<>()).put(taskId, snapshot.clone());
    }

    @Override
    public synchronized void complete(long checkpointId) {
      completed.add(checkpointId);
    }

    @Override
    public synchronized OptionalLong latestCompleted() {
      return completed.stream().mapToLong(Long::longValue).filter(id -> id <= visibleUpTo).max();
    }

    @Override
    public synchronized byte[] read(long checkpointId, String taskId) {
      return parts.getOrDefault(checkpointId, Map.of()).get(taskId);
    }
  }

  private static Pipeline counter(CollectingSink<Long> out) {
    Pipeline p = Pipeline.named("every-n", PipelineConfig.builder().batchSize(512)
        .commitInterval(Duration.ofSeconds(1)).checkpointEveryEvents(1_000).build());
    p.from(Sources.collection("in", List.<Long>of()), WatermarkStrategy.processingTime())
        .keyBy(v -> v % 3, Serdes.json(Long.class))
        .process((KeyedProcessor<Long, Long, Long>) (key, v, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + v);
          ctx.emit(v);
        }, Op.named("summer"))
        .to(out);
    return p;
  }

  private static Long[] numbers(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toArray(Long[]::new);
  }

  private static Map<Object, Object> sums(long upTo) {
    Map<Object, Object> m = new HashMap<>();
    for (long v = 1; v <= upTo; v++) {
      m.merge(v % 3, v, (a, b) -> (Long) a + (Long) b);
    }
    return m;
  }

  @Test
  void when_2500_records_arrive_then_checkpoints_fall_after_records_1000_and_2000_exactly() {
    // Given a pipeline checkpointing every 1,000 records, read in batches of 512
    KeepAllStorage storage = new KeepAllStorage();
    CollectingSink<Long> out = Sinks.collecting("out");
    try (PipelineTestDriver driver = PipelineTestDriver.withCheckpoints(counter(out), T0, storage)) {
      // When 2,500 records arrive at once (the interval of 1 s never applies on virtual time)
      driver.<Long>input("in").pipeAll(numbers(1, 2_500));
      driver.advanceWallClockTime(Duration.ofMinutes(5));

      // Then exactly two checkpoints completed, their barriers after records 1,000 and 2,000
      assertThat(storage.completed).containsExactly(1L, 2L);
      assertThat(SourceTask.positionOf("in-0", storage.read(1, "in-0")).offset()).isEqualTo(1_000);
      assertThat(SourceTask.positionOf("in-0", storage.read(2, "in-0")).offset()).isEqualTo(2_000);
      assertThat(driver.output(out)).hasSize(2_500);

      // When 499 more arrive the count is not reached; the 500th reaches it
      driver.<Long>input("in").pipeAll(numbers(2_501, 2_999));
      assertThat(storage.completed).containsExactly(1L, 2L);
      driver.<Long>input("in").pipe(3_000L);
      assertThat(storage.completed).containsExactly(1L, 2L, 3L);
      assertThat(SourceTask.positionOf("in-0", storage.read(3, "in-0")).offset()).isEqualTo(3_000);
    }
  }

  @Test
  void a_pipeline_restarted_from_the_checkpoint_at_record_1000_holds_each_record_once() {
    // Given checkpoints at records 1,000 and 2,000 of which only the first is visible (a crash
    // before the second completed)
    KeepAllStorage storage = new KeepAllStorage();
    try (PipelineTestDriver first = PipelineTestDriver.withCheckpoints(counter(Sinks.collecting("out")), T0, storage)) {
      first.<Long>input("in").pipeAll(numbers(1, 2_500));
    }
    storage.visibleUpTo = 1;

    // When a new run starts from it and the whole input is piped again
    CollectingSink<Long> out = Sinks.collecting("out");
    try (PipelineTestDriver second = PipelineTestDriver.withCheckpoints(counter(out), T0, storage)) {
      second.<Long>input("in").pipeAll(numbers(1, 2_500));

      // Then it read records 1,001 to 2,500 only, and its state (restored: 1 to 1,000) holds each record once
      assertThat(second.output(out)).containsExactly(numbers(1_001, 2_500));
      assertThat(second.state("summer", "sum")).isEqualTo(sums(2_500));
    }
  }
}
