package io.nip.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.state.ValueState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The threaded runtime with its checkpoints in PostgreSQL: periodic checkpoints while running, a
 * final one when stopped, and a fresh pipeline (with a fresh storage instance, as after a restart)
 * restored from it resumes with the same state at the recorded positions — every number counted
 * once in state across the two runs.
 */
@ExtendWith(PostgresExtension.class)
class PostgresCheckpointRestartTest {

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

  private static PostgresCheckpointStorage storage(PostgresDatabase db) {
    return PostgresCheckpointStorage.builder("restart").jdbcUrl(db.jdbcUrl()).user(db.user()).build();
  }

  private static Pipeline pipeline(Numbers source, CollectingSink<Map.Entry<Long, Long>> out,
      PostgresCheckpointStorage storage, int parallelism) {
    Pipeline p = Pipeline.named("restart", PipelineConfig.builder().threads(2).parallelism(parallelism)
        .batchSize(16).commitInterval(Duration.ofMillis(20)).checkpointStorage(storage).build());
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
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (out.values().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(out.values().size()).as("outputs").isGreaterThanOrEqualTo(n);
  }

  @Test
  void when_a_stopped_pipeline_restarts_from_its_postgres_checkpoint_then_every_record_is_counted_once(
      PostgresDatabase db) throws Exception {
    // Given: a pipeline that ran over 3 × 2,000 numbers, checkpointing every 20 ms, stopped mid-stream
    Numbers first = new Numbers(3);
    CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
    long latestAfterFirstRun;
    try (PostgresCheckpointStorage storage = storage(db)) {
      PipelineHandle h1 = pipeline(first, out1, storage, 2).start();
      first.limit.set(2_000);
      awaitOutputs(out1, 6_000);
      first.limit.set(3_000);
      h1.stop();
      assertThat(h1.awaitTermination(Duration.ofSeconds(60))).isTrue();
      assertThat(h1.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
      latestAfterFirstRun = storage.latestCompleted().orElseThrow();
      assertThat(latestAfterFirstRun).as("periodic checkpoints and the final one").isGreaterThan(1);
    }

    // When: a fresh pipeline and storage over the same data restart from the stored checkpoint, up to 5,000
    Numbers second = new Numbers(3);
    second.limit.set(5_000);
    CollectingSink<Map.Entry<Long, Long>> out2 = Sinks.collecting("out");
    try (PostgresCheckpointStorage storage = storage(db)) {
      PipelineHandle h2 = pipeline(second, out2, storage, 2).start();
      awaitOutputs(out2, 15_000 - out1.values().size());
      h2.stop();
      assertThat(h2.awaitTermination(Duration.ofSeconds(60))).isTrue();
      assertThat(storage.latestCompleted().orElseThrow()).isGreaterThan(latestAfterFirstRun);
    }

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
  void when_the_parallelism_changed_then_the_postgres_checkpoint_is_refused_with_a_clear_message(
      PostgresDatabase db) throws Exception {
    // Given: a checkpoint taken with 2 keyed tasks
    Numbers first = new Numbers(1);
    first.limit.set(100);
    CollectingSink<Map.Entry<Long, Long>> out = Sinks.collecting("out");
    try (PostgresCheckpointStorage storage = storage(db)) {
      PipelineHandle h = pipeline(first, out, storage, 2).start();
      awaitOutputs(out, 100);
      h.stop();
      assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
    }
    // When / Then: a pipeline with 3 keyed tasks cannot restore it task by task
    try (PostgresCheckpointStorage storage = storage(db)) {
      assertThatThrownBy(() -> pipeline(new Numbers(1), Sinks.collecting("out"), storage, 3).start())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("keyed-0-2").hasMessageContaining("parallelism");
    }
  }
}
