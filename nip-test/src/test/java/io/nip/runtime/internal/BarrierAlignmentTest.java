package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.internal.Graph;
import io.nip.pipeline.internal.PipelineInternals;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.LogSource;
import io.nip.state.ValueState;
import io.nip.testing.internal.InMemoryCheckpointStorage;
import io.nip.time.ManualClock;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A keyed task with two input channels aligns checkpoint barriers: what a channel sends after its
 * barrier waits until every channel delivered the barrier, so the snapshot holds exactly the
 * records before the barrier on every channel.
 */
class BarrierAlignmentTest {
  private final ManualClock clock = new ManualClock(Instant.EPOCH);
  private final InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
  private final LogSource<Integer> left = new LogSource<>("left", v -> 0L);
  private final LogSource<Integer> right = new LogSource<>("right", v -> 0L);
  private final CollectingSink<Long> out = Sinks.collecting("out");

  private Graph graph() {
    Pipeline p = Pipeline.named("align", PipelineConfig.builder().clock(clock).build());
    p.from(left).merge(p.from(right))
        .keyBy(v -> "k", Serdes.string())
        .<Long>process((key, v, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + v);
          ctx.emit(sum.value());
        }, io.nip.pipeline.Op.named("summer"))
        .to(out);
    return PipelineInternals.claim(p);
  }

  private Plan plan(Graph graph) {
    return PipelineInternals.plan(graph, "align", PipelineConfig.builder().clock(clock).build(),
        Function.identity(), UnaryOperator.identity(), 1, storage);
  }

  @Test
  void when_one_channel_delivered_its_barrier_then_its_later_records_are_not_in_the_snapshot() {
    // Given: each channel delivered one record
    Graph graph = graph();
    Plan plan = plan(graph);
    SyncRunner runner = new SyncRunner(plan, clock);
    Task leftTask = plan.tasks.get(0);
    Task rightTask = plan.tasks.get(1);
    Task keyed = plan.tasks.get(2);
    left.log.add(1);
    right.log.add(10);
    runner.runUntilQuiescent();
    assertThat(out.values()).containsExactly(1L, 11L);

    // When: a checkpoint starts, the left channel sends its barrier and then a record, and the keyed
    // task consumes both before the right channel's barrier arrives
    plan.checkpoints.requestNow();
    plan.checkpoints.maybeTrigger(clock.millis());
    left.log.add(100);
    leftTask.runOnce(clock.millis());
    keyed.runOnce(clock.millis());

    // Then: the record behind the barrier waits, and the checkpoint is not complete
    assertThat(out.values()).containsExactly(1L, 11L);
    assertThat(storage.latestCompleted()).isEmpty();

    // When: the right channel's barrier arrives
    rightTask.runOnce(clock.millis());
    keyed.runOnce(clock.millis());
    runner.runUntilQuiescent();

    // Then: the checkpoint completed with the state before both barriers, and the held record
    // was processed after the snapshot
    assertThat(storage.latestCompleted()).hasValue(1L);
    assertThat(out.values()).containsExactly(1L, 11L, 111L);
    Map<String, Map<String, io.nip.state.StoreSpec<?, ?>>> specs = runner.storeSpecs();
    runner.close();

    SyncRunner restored = new SyncRunner(plan(graph), clock);
    restored.createStores(specs);
    assertThat(restored.stores("summer").get("sum")).containsExactly(Map.entry("k", 11L));

    // And: the restored pipeline re-reads the left record from the checkpointed position, once
    restored.runUntilQuiescent();
    assertThat(restored.stores("summer").get("sum")).containsExactly(Map.entry("k", 111L));
    assertThat(out.values()).containsExactly(1L, 11L, 111L, 111L);
    restored.close();
  }

  @Test
  void when_a_restored_pipeline_takes_its_next_checkpoint_then_no_record_is_in_it_twice() {
    // Given: checkpoint 1 of a first run, and a pipeline restored from it
    Graph graph = graph();
    SyncRunner r1 = new SyncRunner(plan(graph), clock);
    left.log.add(1);
    right.log.add(10);
    r1.runUntilQuiescent();
    r1.checkpointNow();
    assertThat(storage.latestCompleted()).hasValue(1L);
    r1.close();

    // When: the right channel's first round runs, checkpoint 2 starts before the left channel's
    // first round, and the left channel sends a record behind its barrier 2
    Plan plan = plan(graph);
    SyncRunner r2 = new SyncRunner(plan, clock);
    Task leftTask = plan.tasks.get(0);
    Task rightTask = plan.tasks.get(1);
    Task keyed = plan.tasks.get(2);
    right.log.add(20);
    rightTask.runOnce(clock.millis());           // right: barrier 1 (its first round), then 20
    plan.checkpoints.requestNow();
    plan.checkpoints.maybeTrigger(clock.millis()); // checkpoint 2 requested before left's first round
    left.log.add(300);
    leftTask.runOnce(clock.millis());            // left: barrier 2, then 300 (after barrier 2)
    keyed.runOnce(clock.millis());
    rightTask.runOnce(clock.millis());           // right: barrier 2
    r2.runUntilQuiescent();
    assertThat(storage.latestCompleted()).hasValue(2L);
    Map<String, Map<String, io.nip.state.StoreSpec<?, ?>>> specs = r2.storeSpecs();
    r2.close();

    // Then: 300 came after left's barrier 2, so it is not in the state restored from 2; it is read
    // again from the left position recorded at that barrier, once
    SyncRunner r3 = new SyncRunner(plan(graph), clock);
    r3.createStores(specs);
    r3.runUntilQuiescent();
    assertThat(r3.stores("summer").get("sum")).as("every record counted once").containsExactly(Map.entry("k", 331L));
    r3.close();
  }

  @Test
  void when_a_channel_waits_long_for_the_other_barrier_then_its_held_batches_stay_bounded() {
    // Given: batches of one record and inboxes of two batches, so the bound on held batches is small
    PipelineConfig small = PipelineConfig.builder().clock(clock).batchSize(1).exchangeCapacity(2).build();
    Pipeline p = Pipeline.named("align", small);
    p.from(left).merge(p.from(right))
        .keyBy(v -> "k", Serdes.string())
        .<Long>process((key, v, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + v);
          ctx.emit(sum.value());
        }, io.nip.pipeline.Op.named("summer"))
        .to(out);
    Plan plan = PipelineInternals.plan(PipelineInternals.claim(p), "align", small, Function.identity(),
        UnaryOperator.identity(), 1, storage);
    SyncRunner runner = new SyncRunner(plan, clock);
    SourceTask leftTask = (SourceTask) plan.tasks.get(0);
    Task rightTask = plan.tasks.get(1);
    Task keyed = plan.tasks.get(2);
    runner.runUntilQuiescent();

    // When: the left channel delivers its barrier and then 50 records while the right one is silent
    plan.checkpoints.requestNow();
    plan.checkpoints.maybeTrigger(clock.millis());
    for (int i = 1; i <= 50; i++) {
      left.log.add(i);
    }
    for (int round = 0; round < 200; round++) {
      leftTask.runOnce(clock.millis());
      keyed.runOnce(clock.millis());
    }

    // Then: the left source stopped reading after a few batches instead of filling the keyed task's memory
    assertThat(leftTask.reader().position().offset()).isLessThan(10);
    assertThat(out.values()).isEmpty();

    // When: the right barrier arrives, the checkpoint aligns and the left channel resumes
    rightTask.runOnce(clock.millis());
    runner.runUntilQuiescent();
    // Then: every record is counted once, and the checkpoint holds none of those behind the barrier
    assertThat(storage.latestCompleted()).hasValue(1L);
    assertThat(out.values()).hasSize(50).last().isEqualTo(1275L);
    runner.close();
  }
}
