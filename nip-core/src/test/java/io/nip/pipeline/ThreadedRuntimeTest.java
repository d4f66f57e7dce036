package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.event.GenericEvent;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.state.ValueState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real runtime: worker threads, partitions, the key exchange, stop and sinks. */
class ThreadedRuntimeTest {

  @Test
  void when_three_partitions_go_through_keyBy_on_two_threads_then_every_key_is_counted_exactly() {
    // Given: 3,000 numbers over 3 partitions, keyed by i % 10
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      data.add(i);
    }
    Pipeline p = Pipeline.named("keyed-threads", PipelineConfig.builder().threads(2).parallelism(2).batchSize(64).build());
    CollectingSink<Map.Entry<Integer, Long>> out = Sinks.collecting("out");
    p.from(Sources.collection("nums", data, 3))
        .keyBy(i -> i % 10)
        .process((KeyedProcessor<Integer, Integer, Map.Entry<Integer, Long>>) (key, value, ctx) -> {
          ValueState<Long> n = ctx.valueState("n", Serdes.json(Long.class));
          n.update(n.valueOr(0L) + 1);
          ctx.emit(Map.entry(key, n.value()));
        })
        .to(out);
    // When
    PipelineHandle h = p.start();
    // Then
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    List<Map.Entry<Integer, Long>> results = out.values();
    assertThat(results).hasSize(3_000);
    Map<Integer, Long> finalCounts = new HashMap<>();
    for (Map.Entry<Integer, Long> e : results) {
      finalCounts.merge(e.getKey(), e.getValue(), Math::max);
    }
    assertThat(finalCounts).hasSize(10).allSatisfy((k, v) -> assertThat(v).as("count of key %s", k).isEqualTo(300L));
    // every count 1..300 appears once per key: no record was processed twice or in two tasks
    assertThat(results).doesNotHaveDuplicates();
  }

  @Test
  void when_a_bounded_generator_runs_twice_with_the_same_spec_then_it_produces_the_same_events() {
    GeneratorSpec spec = GeneratorSpec.builder().events(2_000).keys(50).partitions(2).seed(7).botRatio(0.1).build();
    List<GenericEvent> first = runGenerator(spec);
    List<GenericEvent> second = runGenerator(spec);
    assertThat(first).hasSize(2_000);
    assertThat(second).containsExactlyInAnyOrderElementsOf(first);
    assertThat(first).extracting(GenericEvent::eventId).doesNotHaveDuplicates();
    assertThat(first).anySatisfy(e -> assertThat(e.key()).startsWith("bot_"));
  }

  private static List<GenericEvent> runGenerator(GeneratorSpec spec) {
    Pipeline p = Pipeline.named("gen", PipelineConfig.builder().threads(2).build());
    CollectingSink<GenericEvent> out = Sinks.collecting("out");
    p.from(Sources.generator("gen", spec)).to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    return out.values();
  }

  @Test
  void when_an_unbounded_generator_is_stopped_then_the_run_completes_and_sinks_are_flushed(@TempDir Path dir)
      throws IOException, InterruptedException {
    // Given: endless, paced events written to a file
    Path file = dir.resolve("events.jsonl");
    AtomicLong seen = new AtomicLong();
    Pipeline p = Pipeline.named("endless", PipelineConfig.builder().threads(2).build());
    p.from(Sources.generator("gen", GeneratorSpec.builder().events(0).ratePerSecond(20_000).partitions(2).build()))
        .map(GenericEvent::eventId)
        .peek(id -> seen.incrementAndGet())
        .to(Sinks.jsonLines("file", file));
    PipelineHandle h = p.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (seen.get() < 100 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.RUNNING);
    // When
    h.stop();
    // Then
    assertThat(h.awaitTermination(Duration.ofSeconds(10))).isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    assertThat(h.failure()).isEmpty();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(seen.get()).isGreaterThanOrEqualTo(100);
    assertThat(lines).hasSize((int) seen.get());
    assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("\"evt-"));
  }

  @Test
  void when_writing_to_a_json_lines_sink_then_the_file_holds_one_line_per_record(@TempDir Path dir) throws IOException {
    // Given
    record Reading(String sensor, double value) {}
    Path file = dir.resolve("out/readings.jsonl");
    List<Reading> readings = List.of(new Reading("s1", 1.5), new Reading("s2", -2.0), new Reading("s1", 3.25));
    Pipeline p = Pipeline.named("to-file", PipelineConfig.builder().threads(2).build());
    p.from(Sources.collection("in", readings, 2)).to(Sinks.jsonLines("file", file));
    // When
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(20))).isTrue();
    // Then
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(3);
    List<Reading> back = new ArrayList<>();
    for (String l : lines) {
      back.add(Serdes.json(Reading.class).deserialize(l.getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(back).containsExactlyInAnyOrderElementsOf(readings);
  }

  @Test
  void when_a_stream_fans_out_to_two_sinks_in_a_threaded_run_then_both_receive_everything() {
    Pipeline p = Pipeline.named("fanout-threads", PipelineConfig.builder().threads(2).build());
    CollectingSink<Integer> a = Sinks.collecting("a");
    CollectingSink<Integer> b = Sinks.collecting("b");
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      data.add(i);
    }
    Stream<Integer> s = p.from(Sources.collection("in", data, 3)).map(i -> i * 2);
    s.to(a);
    s.to(b);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(a.values()).hasSize(500).containsExactlyInAnyOrderElementsOf(b.values());
  }

  @Test
  void when_a_pipeline_is_started_twice_then_the_second_start_is_rejected() {
    Pipeline p = Pipeline.named("twice", PipelineConfig.builder().threads(1).build());
    p.from(Sources.collection("in", List.of(1))).to(Sinks.collecting("out"));
    try (PipelineHandle h = p.start()) {
      assertThat(h.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(p::start)
        .isInstanceOf(io.nip.errors.ConfigurationException.class)
        .hasMessageContaining("already started");
  }
}
