package io.nip.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.nip.state.ChangelogProvider;
import io.nip.state.MemoryChangelog;
import io.nip.state.StateChangelog;
import io.nip.state.ValueState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The threaded runtime with a changelog and RocksDB: tasks take local checkpoints at barriers, which
 * are confirmed once their checkpoint is committed, and a restarted process opens them and reads
 * only the changelog's tail. A store that an operator creates lazily (a keyed processor's second
 * value state, touched by some records only) must come back whole whether or not the operator
 * created it in the run that took the local checkpoint — on the same disk and on a fresh one.
 */
class RocksDbChangelogTest {
  private static final int PARTITIONS = 2;
  @TempDir
  Path dir;

  /** Partition p emits at offset i the value i * PARTITIONS + p + 1, up to {@link #limit} per partition. */
  static final class Numbers implements Source<Long>, ChangelogProvider {
    final AtomicLong limit = new AtomicLong();
    private final StateChangelog changelog;

    Numbers(StateChangelog changelog) {
      this.changelog = changelog;
    }

    @Override
    public String name() {
      return "numbers";
    }

    @Override
    public int partitions() {
      return PARTITIONS;
    }

    @Override
    public boolean isBounded() {
      return false;
    }

    @Override
    public StateChangelog stateChangelog(String pipeline) {
      return changelog;
    }

    @Override
    public SourceReader<Long> createReader(int partition, SourceContext context, SourcePosition startPosition) {
      return new SourceReader<>() {
        long next = SourcePosition.offsetOr(startPosition, 0);

        @Override
        public Status poll(SourceOutput<Long> output, int maxRecords) {
          int n = 0;
          while (n < maxRecords && next < limit.get()) {
            output.emit(next * PARTITIONS + partition + 1, null, next, next);
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

  /**
   * A keyed sum per key ("sum", every record) and a second sum ("big", created on the first record
   * that touches it: values the predicate accepts); emits "sum:key=value" and "big:key=value".
   */
  private static Pipeline pipeline(Numbers source, RocksDbStateBackend rocks, CollectingSink<String> out,
      Duration commitInterval, LongPredicate touchesBig) {
    Pipeline p = Pipeline.named("rocks-changelog", PipelineConfig.builder().threads(2).parallelism(2)
        .batchSize(16).commitInterval(commitInterval).stateBackend(rocks).build());
    p.from(source)
        .keyBy(v -> v % 5, Serdes.json(Long.class))
        .process((KeyedProcessor<Long, Long, String>) (key, value, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + value);
          ctx.emit("sum:" + key + "=" + sum.value());
          if (touchesBig.test(value)) {
            ValueState<Long> big = ctx.valueState("big", Serdes.json(Long.class));
            big.update(big.valueOr(0L) + value);
            ctx.emit("big:" + key + "=" + big.value());
          }
        }, Op.named("summer"))
        .to(out);
    return p;
  }

  private RocksDbStateBackend rocks(Path stateDir) {
    return RocksDbStateBackend.builder(stateDir).blockCacheSize(16L << 20).writeBufferSize(4L << 20)
        .writeCacheEntries(16).build();
  }

  /**
   * Runs the pipeline until every partition reached {@code limit} ({@code records} records for this
   * run), waits for {@code commits} more commits, and stops it.
   */
  private List<String> run(MemoryChangelog changelog, Path stateDir, long limit, long records,
      Duration commitInterval, LongPredicate touchesBig, int commits) throws InterruptedException {
    Numbers source = new Numbers(changelog);
    CollectingSink<String> out = Sinks.collecting("out");
    try (RocksDbStateBackend rocks = rocks(stateDir)) {
      PipelineHandle h = pipeline(source, rocks, out, commitInterval, touchesBig).start();
      source.limit.set(limit);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.values().stream().filter(l -> l.startsWith("sum:")).count() < records
          && System.nanoTime() < deadline && h.status() == PipelineHandle.Status.RUNNING) {
        Thread.sleep(5);
      }
      long committed = changelog.committed();
      while (changelog.committed() < committed + commits && System.nanoTime() < deadline
          && h.status() == PipelineHandle.Status.RUNNING) {
        Thread.sleep(5);
      }
      h.stop();
      assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
      assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    }
    return out.values();
  }

  private static Map<String, Long> last(List<String> lines) {
    Map<String, Long> last = new HashMap<>();
    for (String l : lines) {
      int eq = l.indexOf('=');
      last.put(l.substring(0, eq), Long.parseLong(l.substring(eq + 1)));
    }
    return last;
  }

  private static Map<String, Long> reference(long limit, LongPredicate touchesBig) {
    Map<String, Long> ref = new HashMap<>();
    for (long v = 1; v <= limit * PARTITIONS; v++) {
      ref.merge("sum:" + v % 5, v, Long::sum);
      if (touchesBig.test(v)) {
        ref.merge("big:" + v % 5, v, Long::sum);
      }
    }
    return ref;
  }

  @Test
  void when_a_lazily_created_store_is_not_created_in_a_run_then_its_state_survives_later_restores()
      throws InterruptedException {
    MemoryChangelog changelog = new MemoryChangelog();
    Path disk = dir.resolve("disk");
    LongPredicate firstRun = v -> v <= 2_000;
    // Given: a first run that touches both stores, committed only at its end (no local checkpoint)
    run(changelog, disk, 1_000, 2_000, Duration.ofHours(1), firstRun, 0);
    // and a second run on the same disk whose records never touch "big", with several commits
    run(changelog, disk, 2_000, 2_000, Duration.ofMillis(10), firstRun, 3);

    // When: a third run on the same disk touches "big" again for every key
    LongPredicate everyFifth = v -> v > 4_000 && v <= 4_010;
    List<String> third = run(changelog, disk, 2_005, 10, Duration.ofMillis(10),
        v -> firstRun.test(v) || everyFifth.test(v), 2);

    // Then: "big" continues from everything the first run added
    Map<String, Long> expected = reference(2_005, v -> firstRun.test(v) || everyFifth.test(v));
    assertThat(last(third)).isEqualTo(expected);
  }

  @Test
  void when_a_run_restored_a_lazily_created_store_from_its_local_checkpoint_alone_then_a_fresh_disk_still_restores_it()
      throws InterruptedException {
    MemoryChangelog changelog = new MemoryChangelog();
    Path disk = dir.resolve("disk");
    LongPredicate firstRun = v -> v <= 2_000;
    // Given: a first run that touches both stores and confirms a local checkpoint after its last record
    run(changelog, disk, 1_000, 2_000, Duration.ofMillis(10), firstRun, 3);
    // and a second run on the same disk (nothing left to read from the changelog's tail) that never touches "big"
    run(changelog, disk, 2_000, 2_000, Duration.ofMillis(10), firstRun, 3);

    // When: a third run starts on a fresh disk (another machine) and touches "big" for every key
    LongPredicate everyFifth = v -> v > 4_000 && v <= 4_010;
    List<String> third = run(changelog, dir.resolve("fresh"), 2_005, 10, Duration.ofMillis(10),
        v -> firstRun.test(v) || everyFifth.test(v), 2);

    // Then: "big" was restored from the changelog
    assertThat(last(third)).isEqualTo(reference(2_005, v -> firstRun.test(v) || everyFifth.test(v)));
  }
}
