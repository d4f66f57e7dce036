package io.nip.pipeline;

import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.errors.ErrorPolicy;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.ValueState;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keyed operators on a stream that is already partitioned by the key run in the source tasks. */
class KeyByPartitionedTest {

  static KeyedProcessor<Integer, Integer, Map.Entry<Integer, Long>> counter() {
    return (key, value, ctx) -> {
      ValueState<Long> n = ctx.valueState("n", Serdes.json(Long.class));
      n.update(n.valueOr(0L) + 1);
      ctx.emit(Map.entry(key, n.value()));
    };
  }

  static List<Integer> numbers(int count) {
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      data.add(i);
    }
    return data;
  }

  @Test
  void when_every_key_stays_in_one_partition_then_each_key_is_counted_exactly_once_per_record() {
    // Given: 3,000 numbers dealt round-robin over 3 partitions; key i % 30 always lands in partition i % 3
    Pipeline p = Pipeline.named("partitioned", PipelineConfig.builder().threads(2).batchSize(64).build());
    CollectingSink<Map.Entry<Integer, Long>> out = Sinks.collecting("out");
    p.from(Sources.collection("nums", numbers(3_000), 3)).keyByPartitioned(i -> i % 30).process(counter()).to(out);

    // When
    PipelineHandle h = p.start();

    // Then
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(out.values()).hasSize(3_000).doesNotHaveDuplicates();
    Map<Integer, Long> finalCounts = new HashMap<>();
    out.values().forEach(e -> finalCounts.merge(e.getKey(), e.getValue(), Math::max));
    assertThat(finalCounts).hasSize(30).allSatisfy((k, v) -> assertThat(v).isEqualTo(100L));
  }

  @Test
  void state_is_kept_per_source_partition_so_a_key_spread_over_partitions_is_counted_in_each() {
    // Given: key i % 2 arrives through all 3 partitions, against the keyByPartitioned promise
    Pipeline p = Pipeline.named("spread", PipelineConfig.builder().threads(2).build());
    CollectingSink<Map.Entry<Integer, Long>> out = Sinks.collecting("out");
    p.from(Sources.collection("nums", numbers(600), 3)).keyByPartitioned(i -> i % 2).process(counter()).to(out);

    // When
    assertThat(p.start().awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: each of the 3 partition tasks counted its own 100 records per key (keyBy would reach 300)
    assertThat(out.values()).hasSize(600);
    assertThat(out.values().stream().mapToLong(Map.Entry::getValue).max().orElseThrow()).isEqualTo(100L);
    assertThat(out.values().stream().filter(e -> e.getValue() == 100L)).hasSize(6);
  }

  record Click(String user, long t) {}

  @Test
  void windows_after_keyByPartitioned_give_the_same_results_as_after_keyBy() {
    List<Click> clicks = List.of(new Click("a", 1_000), new Click("b", 2_000), new Click("a", 59_000),
        new Click("a", 61_000), new Click("b", 125_000), new Click("a", 30_000), new Click("b", 180_000));
    assertThat(windowCounts(clicks, true)).isEqualTo(windowCounts(clicks, false))
        .containsExactly("a@0=2", "b@0=1", "a@60000=1", "b@120000=1", "b@180000=1");
  }

  private static List<String> windowCounts(List<Click> clicks, boolean partitioned) {
    Pipeline p = Pipeline.named("win-" + partitioned);
    CollectingSink<WindowResult<String, Long>> out = Sinks.collecting("out");
    CollectingSink<Click> late = Sinks.collecting("late");
    Stream<Click> s = p.from(Sources.collection("clicks", List.<Click>of()),
        io.nip.time.WatermarkStrategy.<Click>boundedOutOfOrderness(Duration.ZERO)
            .withTimestamps(c -> Instant.ofEpochMilli(c.t())));
    WindowedStream.WindowOutput<String, Long, Click> results =
        (partitioned ? s.keyByPartitioned(Click::user) : s.keyBy(Click::user))
            .window(TumblingWindow.of(Duration.ofMinutes(1))).aggregate(Aggregates.count());
    results.to(out);
    results.lateEvents().to(late);
    List<String> counts = new ArrayList<>();
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Click> in = d.input("clicks");
      for (Click c : clicks) {
        in.pipe(c);
      }
      d.endAllInputs();
      d.output(out).forEach(r -> counts.add(r.key() + "@" + r.start().toEpochMilli() + "=" + r.value()));
      // the event at 30 s came after the watermark passed 60 s: late in both
      assertThat(d.output(late)).containsExactly(new Click("a", 30_000));
    }
    return counts;
  }

  @Test
  void a_null_key_follows_the_error_policy() {
    Pipeline p = Pipeline.named("null-key", PipelineConfig.builder().threads(1).errorPolicy(ErrorPolicy.skip()).build());
    CollectingSink<Map.Entry<Integer, Long>> out = Sinks.collecting("out");
    p.from(Sources.collection("nums", numbers(10))).keyByPartitioned(i -> i == 3 ? null : 0).process(counter()).to(out);
    assertThat(p.start().awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(out.values()).hasSize(9).extracting(Map.Entry::getValue).endsWith(9L);
  }

  @Test
  void a_processor_upstream_of_a_second_keying_in_the_same_task_keeps_its_own_key() {
    // Given: a counter per i % 3 that emits before it updates its state, then a re-keying downstream
    KeyedProcessor<Integer, Integer, Integer> emitThenCount = (key, value, ctx) -> {
      ctx.emit(value);
      ValueState<Long> n = ctx.valueState("n", Serdes.json(Long.class));
      n.update(n.valueOr(0L) + 1);
    };
    Pipeline p = Pipeline.named("rekey", PipelineConfig.builder().threads(1).build());
    CollectingSink<Map.Entry<String, Long>> out = Sinks.collecting("out");
    KeyedStream<Integer, Integer> byMod = p.from(Sources.collection("nums", List.<Integer>of()))
        .keyByPartitioned(i -> i % 3);
    byMod.process(emitThenCount, Op.named("mod-counter"))
        .keyByPartitioned(i -> "other")
        .process((KeyedProcessor<String, Integer, Map.Entry<String, Long>>) (key, value, ctx) -> {
          ValueState<Long> n = ctx.valueState("n", Serdes.json(Long.class));
          n.update(n.valueOr(0L) + 1);
          ctx.emit(Map.entry(key, n.value()));
        })
        .to(out);

    // When
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Integer> in = d.input("nums");
      numbers(30).forEach(in::pipe);
      d.endAllInputs();

      // Then: the downstream count sees all 30 under its key, the upstream counter 10 per key under its own
      assertThat(d.output(out)).hasSize(30).last().isEqualTo(Map.entry("other", 30L));
      assertThat(d.state("mod-counter", "n")).containsOnlyKeys(0, 1, 2).containsValues(10L);
    }
  }
}
