package io.nip.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.state.StateBackend;
import io.nip.state.ValueState;
import io.nip.testing.PipelineTestDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keyed pipelines whose state lives in Redis and whose checkpoints (positions and snapshots) go to
 * the same Redis: stopped, restarted from the Redis checkpoint, every number counted once.
 */
class RedisPipelineRestartTest {
  static EmbeddedRedis redis;

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedis.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @BeforeEach
  void clean() {
    redis.flushAll();
  }

  private static Pipeline summing(String name, Numbers source, CollectingSink<Map.Entry<Long, Long>> out,
      StateBackend backend, CheckpointStorage storage) {
    Pipeline p = Pipeline.named(name, PipelineConfig.builder().threads(2).parallelism(2).batchSize(16)
        .commitInterval(Duration.ofMillis(20)).stateBackend(backend).checkpointStorage(storage).build());
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

  private static Map<Long, Long> reference(int numbers) {
    Map<Long, Long> sums = new HashMap<>();
    for (long v = 1; v <= numbers; v++) {
      sums.merge(v % 7, v, Long::sum);
    }
    return sums;
  }

  /** The live sums in Redis, over both keyed tasks. */
  private static Map<Long, Long> liveSums(String pipeline) {
    Map<Long, Long> sums = new HashMap<>();
    for (int task = 0; task < 2; task++) {
      String base = pipeline + ":" + pipeline + ":keyed-0-" + task + ":summer/sum";
      for (String key : redis.redis().smembers(base)) {
        assertThat(sums.put(Long.parseLong(key), Long.parseLong(redis.redis().get(base + ":" + key))))
            .as("key %s lives in one task only", key).isNull();
      }
    }
    return sums;
  }

  @Test
  void when_a_stopped_pipeline_restarts_from_its_redis_checkpoint_then_every_number_is_counted_once()
      throws Exception {
    // Given: a pipeline with Redis state and linked Redis checkpoints, stopped mid-stream after 3 x 2,000 numbers
    List<Map.Entry<Long, Long>> all = new ArrayList<>();
    try (RedisStateBackend backend = RedisStateBackend.builder().uri(redis.uri()).batchSize(64).build()) {
      Numbers first = new Numbers(3);
      CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
      PipelineHandle h1 = summing("sums", first, out1, backend, backend.checkpointStorage("sums")).start();
      first.limit.set(2_000);
      awaitOutputs(out1, 6_000);
      first.limit.set(3_000);
      h1.stop();
      assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();
      assertThat(h1.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
      all.addAll(out1.values());
      // the live keys hold the state of the final checkpoint: the last sum emitted per key
      assertThat(liveSums("sums")).isEqualTo(lastPerKey(out1.values()));
    }

    // When: another process (a new backend and storage) restarts from the Redis checkpoint and reads to 3 x 5,000
    try (RedisStateBackend backend = RedisStateBackend.builder().uri(redis.uri()).build()) {
      CheckpointStorage storage = backend.checkpointStorage("sums");
      assertThat(storage.latestCompleted()).isPresent();
      Numbers second = new Numbers(3);
      second.limit.set(5_000);
      CollectingSink<Map.Entry<Long, Long>> out2 = Sinks.collecting("out");
      PipelineHandle h2 = summing("sums", second, out2, backend, storage).start();
      awaitOutputs(out2, 15_000 - all.size());
      h2.stop();
      assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();
      all.addAll(out2.values());
    }

    // Then: together the runs saw each number once, and the sums, emitted and live in Redis, are exact
    assertThat(all).hasSize(15_000).doesNotHaveDuplicates();
    assertThat(lastPerKey(all)).isEqualTo(reference(15_000));
    assertThat(liveSums("sums")).isEqualTo(reference(15_000));
  }

  private static Map<Long, Long> lastPerKey(List<Map.Entry<Long, Long>> outputs) {
    Map<Long, Long> last = new HashMap<>();
    for (Map.Entry<Long, Long> e : outputs) {
      last.merge(e.getKey(), e.getValue(), Math::max);
    }
    return last;
  }

  private static Pipeline counting(CollectingSink<String> out, StateBackend backend) {
    Pipeline p = Pipeline.named("counts", PipelineConfig.builder().stateBackend(backend).build());
    p.from(Sources.<String>collection("words", List.of()))
        .keyBy(w -> w, Serdes.string())
        .process((KeyedProcessor<String, String, String>) (word, value, ctx) -> {
          ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
          count.update(count.valueOr(0L) + 1);
          ctx.emit(word + "=" + count.value());
        }, Op.named("counter"))
        .to(out);
    return p;
  }

  @Test
  void a_test_driver_restarted_from_the_redis_checkpoint_counts_only_what_followed_it() {
    try (RedisStateBackend backend = RedisStateBackend.builder().uri(redis.uri()).build()) {
      // Given: a, b, a counted and checkpointed into Redis
      CollectingSink<String> out1 = Sinks.collecting("out");
      try (PipelineTestDriver d = PipelineTestDriver.withCheckpoints(counting(out1, backend), Instant.EPOCH,
          backend.checkpointStorage("counts"))) {
        d.input("words").pipeAll("a", "b", "a");
        d.checkpoint();
        assertThat(d.output(out1)).containsExactly("a=1", "b=1", "a=2");
      }
      assertThat(redis.redis().get("counts:counts:keyed-0-0:counter/count:a")).isEqualTo("2");
      // When: a new driver over the same storage gets the whole input again, and more
      CollectingSink<String> out2 = Sinks.collecting("out");
      try (PipelineTestDriver d = PipelineTestDriver.withCheckpoints(counting(out2, backend), Instant.EPOCH,
          backend.checkpointStorage("counts"))) {
        d.input("words").pipeAll("a", "b", "a", "b", "c");
        d.checkpoint();
        // Then: only b and c after the checkpoint were counted
        assertThat(d.output(out2)).containsExactly("b=2", "c=1");
      }
      assertThat(redis.redis().mget("counts:counts:keyed-0-0:counter/count:a", "counts:counts:keyed-0-0:counter/count:b",
          "counts:counts:keyed-0-0:counter/count:c")).extracting(kv -> kv.getValue()).containsExactly("2", "2", "1");
    }
  }

  @Test
  void positions_and_snapshots_of_in_memory_state_can_live_in_a_standalone_redis_storage() {
    CollectingSink<String> out1 = Sinks.collecting("out");
    try (RedisCheckpointStorage storage = RedisCheckpointStorage.builder().uri(redis.uri()).pipeline("counts").build();
        PipelineTestDriver d = PipelineTestDriver.withCheckpoints(counting(out1, StateBackend.inMemory()),
            Instant.EPOCH, storage)) {
      d.input("words").pipeAll("x", "x");
      d.checkpoint();
    }
    CollectingSink<String> out2 = Sinks.collecting("out");
    try (RedisCheckpointStorage storage = RedisCheckpointStorage.builder().uri(redis.uri()).pipeline("counts").build();
        PipelineTestDriver d = PipelineTestDriver.withCheckpoints(counting(out2, StateBackend.inMemory()),
            Instant.EPOCH, storage)) {
      d.input("words").pipeAll("x", "x", "x");
      assertThat(d.output(out2)).containsExactly("x=3");
    }
  }

  @Test
  void the_redis_backend_gives_the_same_results_under_the_hostile_driver_modes() {
    String[] words = new String[40];
    for (int i = 0; i < words.length; i++) {
      words[i] = "w" + (i * 7 % 5);
    }
    Map<io.nip.testing.DriverMode, List<String>> results = new HashMap<>();
    try (RedisStateBackend backend = RedisStateBackend.builder().uri(redis.uri()).batchSize(4).cacheSize(2).build()) {
      for (io.nip.testing.DriverMode mode : io.nip.testing.DriverMode.values()) {
        redis.flushAll();
        CollectingSink<String> out = Sinks.collecting("out");
        try (PipelineTestDriver d = PipelineTestDriver.of(counting(out, backend), Instant.EPOCH, mode)) {
          d.input("words").pipeAll(words);
          d.endAllInputs();
          List<String> got = new ArrayList<>(d.output(out));
          got.sort(null); // PARALLEL may interleave keys differently
          results.put(mode, got);
        }
      }
    }
    assertThat(results.get(io.nip.testing.DriverMode.PLAIN)).hasSize(40).contains("w0=8");
    assertThat(results.get(io.nip.testing.DriverMode.RESTORE_BETWEEN_RECORDS))
        .isEqualTo(results.get(io.nip.testing.DriverMode.PLAIN));
    assertThat(results.get(io.nip.testing.DriverMode.PARALLEL)).isEqualTo(results.get(io.nip.testing.DriverMode.PLAIN));
  }
}
