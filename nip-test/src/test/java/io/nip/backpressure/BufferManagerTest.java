package io.nip.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.streaming.StreamProcessor;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overflow strategies of the source buffer, on virtual time: which records each drops, how many,
 * the metric, the dead letters, the time blocked, and that a drop's position is committed. The
 * chain is kept busy by a rate limiter of 1 event/s with a burst of 2 behind a buffer of 3.
 * Pinned to {@link DriverMode#PLAIN}: the hostile modes reveal records one by one and checkpoint
 * after each, which changes when the buffer is full (and a checkpoint waits for throttled records).
 */
class BufferManagerTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final CollectingSink<Integer> out = Sinks.collecting("out");
  private final CollectingSink<DeadLetter> dropped = Sinks.collecting("dropped");

  private Pipeline pipeline(String name, BackpressureStrategy strategy) {
    // tag::buffer-and-rate-limit[]
    BufferManager buffer = BufferManager.of(3, strategy).withDeadLetters(dropped);
    Pipeline p = Pipeline.named(name, PipelineConfig.builder().meterRegistry(registry).bufferManager(buffer).build());
    p.from(Sources.<Integer>collection("in", List.of())).rateLimit(new RateLimiter(1, 2)).to(out);
    // end::buffer-and-rate-limit[]
    return p;
  }

  /** Pipes 1..n one at a time: each arrives when the previous ones settled. */
  private static void pipeOneByOne(TestInput<Integer> in, int from, int to) {
    for (int i = from; i <= to; i++) {
      in.pipe(i);
    }
  }

  private double droppedCount(String pipeline) {
    return registry.find("nip.buffer.dropped").tag("pipeline", pipeline).counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  private static List<Integer> droppedValues(List<DeadLetter> letters) {
    return letters.stream().map(d -> Integer.valueOf(d.value())).toList();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void when_the_buffer_is_full_under_drop_newest_then_each_new_record_is_dropped_counted_and_dead_lettered() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline("newest", BackpressureStrategy.DROP_NEWEST), T0,
        DriverMode.PLAIN)) {
      // Given 1 and 2 passed, 3 waits for a token and 4, 5, 6 fill the buffer
      // When 7 to 10 arrive
      pipeOneByOne(driver.input("in"), 1, 10);
      // Then exactly 7 to 10 are dropped, counted and dead-lettered, in order, with the reason
      assertThat(droppedValues(driver.output(dropped))).containsExactly(7, 8, 9, 10);
      assertThat(droppedCount("newest")).isEqualTo(4.0);
      DeadLetter first = driver.output(dropped).get(0);
      assertThat(first.errorClass()).isEqualTo("io.nip.backpressure.BackpressureStrategy.DROP_NEWEST");
      assertThat(first.errorMessage()).contains("source buffer of in[0] was full (3 records)");
      assertThat(first.position()).isEqualTo(6L);
      assertThat(first.operator()).isEqualTo("in.buffer");
      // and what was kept is processed in order as tokens come
      driver.advanceWallClockTime(Duration.ofSeconds(4));
      assertThat(driver.output(out)).containsExactlyElementsOf(range(1, 6));
      assertThat(driver.output(out).size() + droppedCount("newest")).isEqualTo(10);
    }
  }

  @Test
  void when_the_buffer_is_full_under_drop_oldest_then_the_oldest_buffered_record_makes_room() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline("oldest", BackpressureStrategy.DROP_OLDEST), T0,
        DriverMode.PLAIN)) {
      pipeOneByOne(driver.input("in"), 1, 10);
      // 4, 5, 6 were buffered; each of 7 to 10 pushes out the oldest
      assertThat(droppedValues(driver.output(dropped))).containsExactly(4, 5, 6, 7);
      assertThat(droppedCount("oldest")).isEqualTo(4.0);
      assertThat(driver.output(dropped).get(0).errorClass())
          .isEqualTo("io.nip.backpressure.BackpressureStrategy.DROP_OLDEST");
      driver.advanceWallClockTime(Duration.ofSeconds(4));
      assertThat(driver.output(out)).containsExactly(1, 2, 3, 8, 9, 10);
    }
  }

  @Test
  void when_a_burst_larger_than_the_buffer_arrives_at_once_then_drop_oldest_keeps_its_newest_records() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline("burst", BackpressureStrategy.DROP_OLDEST), T0,
        DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      assertThat(droppedValues(driver.output(dropped))).containsExactlyElementsOf(range(1, 7));
      driver.advanceWallClockTime(Duration.ofSeconds(2));
      assertThat(driver.output(out)).containsExactly(8, 9, 10);
    }
  }

  @Test
  void when_the_buffer_is_full_under_block_then_the_source_is_not_read_and_nothing_is_lost() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline("block", BackpressureStrategy.BLOCK), T0,
        DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      assertThat(driver.output(out)).containsExactly(1, 2);
      assertThat(registry.find("nip.buffer.size").tag("pipeline", "block").gauge().value()).isEqualTo(3.0);
      // When one token comes per second
      for (int s = 1; s <= 8; s++) {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(driver.output(out)).hasSize(2 + s);
      }
      // Then every record passed, in order, none dropped
      assertThat(driver.output(out)).containsExactlyElementsOf(range(1, 10));
      assertThat(driver.output(dropped)).isEmpty();
      assertThat(droppedCount("block")).isZero();
      // and the source was held back while the buffer was full: from T0 until room was left at 5 s
      assertThat(registry.find("nip.buffer.blocked").tag("pipeline", "block").counter().count()).isEqualTo(5_000.0);
    }
  }

  @Test
  void when_records_were_dropped_then_their_positions_are_committed_and_not_read_again_after_a_restart(
      @TempDir Path dir) {
    CheckpointStorage storage = CheckpointStorage.localDirectory(dir);
    try (PipelineTestDriver first = PipelineTestDriver.withCheckpoints(
        pipeline("restart", BackpressureStrategy.DROP_NEWEST), T0, storage)) {
      pipeOneByOne(first.input("in"), 1, 10);
      first.advanceWallClockTime(Duration.ofSeconds(4));
      first.checkpoint();
      assertThat(first.output(out)).containsExactlyElementsOf(range(1, 6));
    }
    try (PipelineTestDriver second = PipelineTestDriver.withCheckpoints(
        pipeline("restart", BackpressureStrategy.DROP_NEWEST), T0, storage)) {
      // the input is a durable log: piped again from the start, with one more record
      second.<Integer>input("in").pipeAll(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
      assertThat(second.output(out)).containsExactly(11);
      assertThat(second.output(dropped)).isEmpty();
    }
  }

  @Test
  void when_a_stream_processor_has_a_buffer_manager_then_its_pipeline_reads_through_it() {
    // the tutorial's StreamProcessor(name="buffered_processor", buffer_manager=...)
    StreamProcessor<Integer> processor = StreamProcessor.<Integer>named("buffered_processor")
        .bufferManager(BufferManager.of(10_000, "drop_oldest")).sink(out);
    Pipeline p = processor.pipeline(Sources.collection("in", List.of()),
        PipelineConfig.builder().meterRegistry(registry).build());
    assertThat(p.config().bufferManager()).hasValueSatisfying(b -> {
      assertThat(b.maxSize()).isEqualTo(10_000);
      assertThat(b.overflow()).isEqualTo(BackpressureStrategy.DROP_OLDEST);
    });
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0, DriverMode.PLAIN)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3);
      assertThat(driver.output(out)).containsExactly(1, 2, 3);
      assertThat(registry.find("nip.buffer.capacity").tag("pipeline", "buffered_processor").gauge().value())
          .isEqualTo(10_000.0);
    }
  }

  @Test
  void when_the_buffer_is_given_as_properties_then_size_and_overflow_are_read_and_checked() {
    PipelineConfig config = PipelineConfig.fromProperties(Map.of("buffer.size", "5000", "buffer.overflow",
        "drop_newest")).build();
    assertThat(config.bufferManager()).hasValueSatisfying(b -> {
      assertThat(b.maxSize()).isEqualTo(5_000);
      assertThat(b.overflow()).isEqualTo(BackpressureStrategy.DROP_NEWEST);
    });
    assertThat(PipelineConfig.fromProperties(Map.of("buffer.size", "10")).build().bufferManager())
        .hasValueSatisfying(b -> assertThat(b.overflow()).isEqualTo(BackpressureStrategy.BLOCK));
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("buffer.overflow", "block")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("buffer.size");
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("buffer.size", "ten")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("buffer.size");
  }

  @Test
  void when_a_setting_is_out_of_range_then_the_message_names_it() {
    assertThatThrownBy(() -> BufferManager.of(0, BackpressureStrategy.BLOCK))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("maxSize");
    assertThatThrownBy(() -> BufferManager.of(10, "drop_random"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("overflowStrategy");
    assertThat(BufferManager.of(10, "drop_oldest").overflow()).isEqualTo(BackpressureStrategy.DROP_OLDEST);
    assertThatThrownBy(() -> BufferManager.of(10, BackpressureStrategy.BLOCK).withAlerts(1.5, l -> { }))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("alertThreshold");
    assertThatThrownBy(() -> new RateLimiter(0, 1)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("maxRate");
    assertThatThrownBy(() -> new RateLimiter(10, 0)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("burstSize");
  }
}
