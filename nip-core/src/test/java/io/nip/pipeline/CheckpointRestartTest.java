package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.LogSource;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.state.CheckpointStorage;
import io.nip.state.ValueState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowResult;
import io.nip.time.WatermarkStrategy;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The threaded runtime with a checkpoint storage: periodic checkpoints while running, a final one
 * when stopped, and a fresh pipeline restored from it resumes with the same state at the recorded
 * positions — every number counted once in state across the two runs.
 */
class CheckpointRestartTest {

  /** Numbers 1, 2, 3, ... spread over the partitions, up to a limit per partition; position = the next index. */
  static final class Numbers implements Source<Long> {
    final AtomicLong limit = new AtomicLong();
    final int partitions;

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
            // values from 1: a 0 would leave its key's sum unchanged and repeat an output
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

  private static Pipeline pipeline(Numbers source, CollectingSink<Map.Entry<Long, Long>> out, Path dir, int parallelism) {
    Pipeline p = Pipeline.named("restart", PipelineConfig.builder().threads(2).parallelism(parallelism)
        .batchSize(16).commitInterval(Duration.ofMillis(20))
        .checkpointStorage(CheckpointStorage.localDirectory(dir)).build());
    p.from(source)
        .keyBy(v -> v % 7, Serdes.json(Long.class))
        .process((KeyedProcessor<Long, Long, Map.Entry<Long, Long>>) (key, value, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + value);
          ctx.emit(Map.entry(key, sum.value()));
        }, Op.named("summer"))
        .to(out);
    return p;
  }

  private static void awaitOutputs(CollectingSink<?> out, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out.values().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(out.values().size()).as("outputs").isGreaterThanOrEqualTo(n);
  }

  @Test
  void when_a_stopped_pipeline_restarts_from_its_checkpoint_then_every_record_is_counted_once(@TempDir Path dir)
      throws InterruptedException {
    // Given: a pipeline that ran over 3 × 2,000 numbers and was stopped mid-stream
    Numbers first = new Numbers(3);
    CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = pipeline(first, out1, dir, 2).start();
    first.limit.set(2_000);
    awaitOutputs(out1, 6_000);
    first.limit.set(3_000);
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(h1.status()).isEqualTo(PipelineHandle.Status.COMPLETED);

    // When: a fresh pipeline over the same data restarts from the stored checkpoint and reads to 5,000
    Numbers second = new Numbers(3);
    second.limit.set(5_000);
    CollectingSink<Map.Entry<Long, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = pipeline(second, out2, dir, 2).start();
    awaitOutputs(out2, 15_000 - out1.values().size());
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: together the runs saw each number once, and the final sums equal the reference
    List<Map.Entry<Long, Long>> all = new ArrayList<>(out1.values());
    all.addAll(out2.values());
    assertThat(all).hasSize(15_000).doesNotHaveDuplicates();
    Map<Long, Long> finalSums = new HashMap<>();
    for (Map.Entry<Long, Long> e : all) {
      finalSums.merge(e.getKey(), e.getValue(), Math::max);
    }
    Map<Long, Long> reference = new HashMap<>();
    for (long v = 1; v <= 15_000; v++) {
      reference.merge(v % 7, v, Long::sum);
    }
    assertThat(finalSums).isEqualTo(reference);
  }

  @Test
  void when_the_parallelism_changed_then_the_stored_checkpoint_is_refused_with_a_clear_message(@TempDir Path dir)
      throws InterruptedException {
    // Given: a checkpoint taken with 2 keyed tasks
    Numbers first = new Numbers(1);
    first.limit.set(100);
    CollectingSink<Map.Entry<Long, Long>> out = Sinks.collecting("out");
    PipelineHandle h = pipeline(first, out, dir, 2).start();
    awaitOutputs(out, 100);
    h.stop();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    // When / Then: a pipeline with 3 keyed tasks cannot restore it task by task
    assertThatThrownBy(() -> pipeline(new Numbers(1), Sinks.collecting("out"), dir, 3).start())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("keyed-0-2").hasMessageContaining("parallelism");
  }

  static PipelineHandle startWindows(LogSource<String> log, CollectingSink<WindowResult<String, Long>> out, Path dir) {
    PipelineConfig.Builder b = PipelineConfig.builder().threads(1).parallelism(1).commitInterval(Duration.ofMillis(20));
    if (dir != null) {
      b.checkpointStorage(CheckpointStorage.localDirectory(dir));
    }
    Pipeline p = Pipeline.named("windows-restart", b.build());
    p.from(log, WatermarkStrategy.<String>boundedOutOfOrderness(Duration.ZERO))
        .keyBy(v -> v.substring(0, v.indexOf('@')))
        .window(TumblingWindow.of(Duration.ofSeconds(10)))
        .aggregate(Aggregates.count())
        .to(out);
    return p.start();
  }

  private static Pipeline named(String name, String operator, Numbers source,
      CollectingSink<Map.Entry<Long, Long>> out, Path dir) {
    Pipeline p = Pipeline.named(name, PipelineConfig.builder().threads(1).parallelism(1)
        .commitInterval(Duration.ofMillis(20)).checkpointStorage(CheckpointStorage.localDirectory(dir)).build());
    p.from(source)
        .keyBy(v -> v % 7, Serdes.json(Long.class))
        .process((KeyedProcessor<Long, Long, Map.Entry<Long, Long>>) (key, value, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + value);
          ctx.emit(Map.entry(key, sum.value()));
        }, Op.named(operator))
        .to(out);
    return p;
  }

  @Test
  void when_a_stopped_pipeline_with_windows_restarts_then_a_late_event_stays_late(@TempDir Path dir) throws Exception {
    // run 1: a@1000 opens [0,10s); a@15000 moves the watermark to 15 s: [0,10s) fires ON_TIME (count 1). Then stop().
    LogSource<String> log = new LogSource<>("log", e -> Long.parseLong(e.substring(e.indexOf('@') + 1)));
    log.log.add("a@1000");
    log.log.add("a@15000");
    CollectingSink<WindowResult<String, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = startWindows(log, out1, dir);
    awaitOutputs(out1, 1);
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(out1.values()).hasSize(1);

    // run 2 from the final checkpoint: a late a@2000 (window [0,10s) already final), then a@25000
    log.log.add("a@2000");
    log.log.add("a@25000");
    CollectingSink<WindowResult<String, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = startWindows(log, out2, dir);
    try {
      awaitOutputs(out2, 1);
      Thread.sleep(300); // a wrongly reopened [0,10s) would fire with [10s,20s): give it the time
    } finally {
      h2.stop();
    }
    assertThat(h2.awaitTermination(Duration.ofSeconds(20))).isTrue();

    // uninterrupted reference: a@2000 is late; a@25000 fires [10s,20s) with count 1 (a@15000)
    List<WindowResult<String, Long>> all = new ArrayList<>(out1.values());
    all.addAll(out2.values());
    assertThat(all).extracting(r -> r.start().toEpochMilli() + ":" + r.firing())
        .as("no second ON_TIME result for window [0,10s)")
        .containsExactly("0:ON_TIME", "10000:ON_TIME");
  }

  @Test
  void when_a_checkpoint_belongs_to_another_pipeline_or_operator_then_it_is_refused(@TempDir Path dir)
      throws InterruptedException {
    // Given: a checkpoint of pipeline "billing" with operator "summer"
    Numbers first = new Numbers(1);
    first.limit.set(100);
    CollectingSink<Map.Entry<Long, Long>> out = Sinks.collecting("out");
    PipelineHandle h = named("billing", "summer", first, out, dir).start();
    awaitOutputs(out, 100);
    h.stop();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    // When / Then: another pipeline pointed at the same directory is refused, naming both plans
    assertThatThrownBy(() -> named("fraud", "summer", new Numbers(1), Sinks.collecting("out"), dir).start())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("pipeline billing")
        .hasMessageContaining("pipeline fraud");
    // and the same pipeline whose stateful operator was renamed keeps its state, refusing the restore
    assertThatThrownBy(() -> named("billing", "scorer", new Numbers(1), Sinks.collecting("out"), dir).start())
        .isInstanceOf(io.nip.errors.StateException.class).hasMessageContaining("'summer'");
  }
}
