package io.nip.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.SourcePosition;
import io.nip.state.MemoryChangelog;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import io.nip.time.WatermarkStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timers with RocksDB and a changelog: an operator's timers are a store of the task, so a local
 * checkpoint holds them and a restart on the same disk reads them back from it (the changelog's
 * tail adds only what changed after it); fired timers are deleted there too, so they never fire
 * twice.
 */
class RocksDbTimersTest {
  private static final long KEYS = 500;
  private static final long BUCKET_MILLIS = 5_000;
  @TempDir
  Path dir;

  /** Per key, the count of its numbers per bucket (a store per bucket), emitted by a timer after the bucket's end. */
  static final class Buckets implements KeyedProcessor<Long, Long, String> {
    @Override
    public void process(Long key, Long value, KeyedContext<Long, String> ctx) {
      long bucket = ctx.timestamp().toEpochMilli() / BUCKET_MILLIS;
      ValueState<Long> count = ctx.valueState("count-" + bucket, Serdes.json(Long.class));
      count.update(count.valueOr(0L) + 1);
      // at the next bucket's first millisecond: only a record of a later bucket fires it
      ctx.registerEventTimeTimer(Instant.ofEpochMilli((bucket + 1) * BUCKET_MILLIS));
    }

    @Override
    public void onTimer(Long key, Instant time, TimeDomain domain, KeyedContext<Long, String> ctx) {
      long bucket = time.toEpochMilli() / BUCKET_MILLIS - 1;
      ValueState<Long> count = ctx.valueState("count-" + bucket, Serdes.json(Long.class));
      ctx.emit(key + "@" + bucket + "=" + count.valueOr(0L));
      count.clear();
    }
  }

  /**
   * Runs until {@code outputs} lines came out and a commit covered every partition up to
   * {@code limit}, waits for two more commits (so that the fired timers' deletions are committed),
   * and stops: the next run reads nothing again.
   */
  private List<String> run(MemoryChangelog changelog, Path stateDir, long limit, int outputs)
      throws InterruptedException {
    RocksDbChangelogTest.Numbers source = new RocksDbChangelogTest.Numbers(changelog);
    CollectingSink<String> out = Sinks.collecting("out");
    try (RocksDbStateBackend rocks = RocksDbStateBackend.builder(stateDir).blockCacheSize(16L << 20)
        .writeBufferSize(4L << 20).writeCacheEntries(16).build()) {
      Pipeline p = Pipeline.named("rocks-timers", PipelineConfig.builder().threads(2).parallelism(2)
          .batchSize(16).commitInterval(Duration.ofMillis(20)).stateBackend(rocks).build());
      p.from(source, WatermarkStrategy.<Long>boundedOutOfOrderness(Duration.ZERO).withIdleTimeout(Duration.ofDays(1)))
          .keyBy(v -> v % KEYS, Serdes.json(Long.class))
          .process(new Buckets(), Op.named("buckets"))
          .to(out);
      PipelineHandle h = p.start();
      source.limit.set(limit);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.values().size() < outputs && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      while (!(changelog.positions().size() == 2
          && changelog.positions().values().stream().allMatch(at -> SourcePosition.offsetOr(at, 0) == limit))
          && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(changelog.positions()).as("committed positions").hasSize(2)
          .allSatisfy((partition, position) -> assertThat(position.offset()).isEqualTo(limit));
      long committed = changelog.committed();
      while (changelog.committed() < committed + 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      h.stop();
      assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
      assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    }
    return out.values();
  }

  @Test
  void when_a_run_restarts_on_its_local_checkpoint_then_its_timers_fire_once_with_exact_counts()
      throws InterruptedException {
    // Given: 500 keys with a timer each at the end of bucket 0, committed and checkpointed locally
    // (bucket 0 read whole: no later record sets its timers again)
    MemoryChangelog changelog = new MemoryChangelog();
    Path state = dir.resolve("state");
    List<String> all = new ArrayList<>(run(changelog, state, 5_000, 0));
    assertThat(all).as("bucket 0 still open").isEmpty();
    assertThat(changelog.maxMetaBytes()).as("largest task metadata, bytes").isLessThan(512);

    // When: a run on the same disk reads bucket 1 whole (bucket 0's restored timers fire, bucket 1's
    // are set), and another one reads into bucket 2
    all.addAll(run(changelog, state, 10_000, (int) KEYS));
    all.addAll(run(changelog, state, 12_000, 2 * (int) KEYS - all.size()));

    // Then: buckets 0 and 1 of every key fired exactly once, each with its 20 numbers
    Map<String, Long> got = new HashMap<>();
    for (String line : all) {
      int eq = line.indexOf('=');
      assertThat(got.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1))))
          .as("fired once: " + line).isNull();
    }
    assertThat(got).hasSize(2 * (int) KEYS);
    got.forEach((k, v) -> assertThat(v).as(k).isEqualTo(2 * BUCKET_MILLIS / KEYS));
  }
}
