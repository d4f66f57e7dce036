package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.state.ChangelogProvider;
import io.nip.state.KeyValueStore;
import io.nip.state.MemoryChangelog;
import io.nip.state.StateBackend;
import io.nip.state.StateChangelog;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.state.ValueState;
import io.nip.time.NipClock;
import io.nip.time.WatermarkStrategy;
import io.nip.window.Aggregates;
import io.nip.window.EarlyEmit;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The threaded runtime with a changelog instead of a checkpoint storage: each checkpoint commits only
 * the changed entries and the source positions in one step; a fresh pipeline restores its stores
 * from the committed changes and resumes at the committed positions. Commits that fail lose
 * nothing (their changes go with the next one), and a run whose later commits all failed (a process
 * that died) restarts from what was committed — every number counted once in state.
 */
class ChangelogRestartTest {

  /** A source that offers a changelog, delegating everything else. */
  static final class WithChangelog<T> implements Source<T>, ChangelogProvider {
    private final Source<T> inner;
    private final StateChangelog changelog;

    WithChangelog(Source<T> inner, StateChangelog changelog) {
      this.inner = inner;
      this.changelog = changelog;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public int partitions() {
      return inner.partitions();
    }

    @Override
    public boolean isBounded() {
      return inner.isBounded();
    }

    @Override
    public SourceReader<T> createReader(int partition, SourceContext context, SourcePosition startPosition) {
      return inner.createReader(partition, context, startPosition);
    }

    @Override
    public StateChangelog stateChangelog(String pipeline) {
      return changelog;
    }
  }

  private static Pipeline pipeline(Source<Long> source, CollectingSink<Map.Entry<Long, Long>> out, int parallelism) {
    return pipeline(source, out, parallelism, new SimpleMeterRegistry());
  }

  private static Pipeline pipeline(Source<Long> source, CollectingSink<Map.Entry<Long, Long>> out, int parallelism,
      MeterRegistry registry) {
    return pipeline(source, out, parallelism, registry, 2);
  }

  private static Pipeline pipeline(Source<Long> source, CollectingSink<Map.Entry<Long, Long>> out, int parallelism,
      MeterRegistry registry, int threads) {
    Pipeline p = Pipeline.named("changelog-restart", PipelineConfig.builder().threads(threads).parallelism(parallelism)
        .batchSize(16).commitInterval(Duration.ofMillis(10)).meterRegistry(registry).build());
    p.from(source)
        .keyBy(v -> v % 7, Serdes.json(Long.class))
        .process(SUMMER, Op.named("summer"))
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

  /** Per key, the running sum of its numbers, emitted with every number. */
  static final KeyedProcessor<Long, Long, Map.Entry<Long, Long>> SUMMER = (key, value, ctx) -> {
    ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
    sum.update(sum.valueOr(0L) + value);
    ctx.emit(Map.entry(key, sum.value()));
  };

  private static Map<Long, Long> reference(long upTo) {
    Map<Long, Long> reference = new HashMap<>();
    for (long v = 1; v <= upTo; v++) {
      reference.merge(v % 7, v, Long::sum);
    }
    return reference;
  }

  private static Map<Long, Long> lastPerKey(List<Map.Entry<Long, Long>> outputs) {
    Map<Long, Long> last = new HashMap<>();
    for (Map.Entry<Long, Long> e : outputs) {
      last.put(e.getKey(), e.getValue());
    }
    return last;
  }

  @Test
  void when_a_stopped_pipeline_restarts_from_its_changelog_then_every_record_is_counted_once()
      throws InterruptedException {
    // Given: a pipeline that ran over 3 × 2,000 numbers with every third commit failing, then stopped
    MemoryChangelog changelog = new MemoryChangelog();
    changelog.failEvery = 3;
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(3);
    CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = pipeline(new WithChangelog<>(first, changelog), out1, 2).start();
    first.limit.set(2_000);
    awaitOutputs(out1, 6_000);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (changelog.failed() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5); // checkpoints go on while idle: wait for two failed commits
    }
    first.limit.set(3_000);
    awaitOutputs(out1, 9_000);
    changelog.failEvery = 0;
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(h1.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    assertThat(changelog.failed()).as("failed commits").isPositive();

    // When: a fresh pipeline restarts from the changelog and reads to 5,000 per partition
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(3);
    second.limit.set(5_000);
    CollectingSink<Map.Entry<Long, Long>> out2 = Sinks.collecting("out");
    MeterRegistry registry = new SimpleMeterRegistry();
    PipelineHandle h2 = pipeline(new WithChangelog<>(second, changelog), out2, 2, registry).start();
    // every task was restored, metered, before the first record
    assertThat(registry.find("nip.state.restore.duration").timers()).as("restores metered")
        .hasSize(5).allSatisfy(t -> assertThat(t.count()).isEqualTo(1));
    assertThat(registry.find("nip.state.restore.entries").counters().stream().mapToDouble(c -> c.count()).sum())
        .as("restored entries").isGreaterThanOrEqualTo(7);
    assertThat(registry.get("nip.state.restore.active").gauge().value()).isZero();
    awaitOutputs(out2, 15_000 - out1.values().size());
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: together the runs saw each number once, and the final sums equal the reference
    List<Map.Entry<Long, Long>> all = new ArrayList<>(out1.values());
    all.addAll(out2.values());
    assertThat(all).hasSize(15_000).doesNotHaveDuplicates();
    assertThat(lastPerKey(out2.values())).isEqualTo(reference(15_000));
  }

  @Test
  void when_a_commit_takes_long_then_the_tasks_go_on_and_the_next_checkpoint_waits_for_it()
      throws InterruptedException {
    // Given: one worker thread, and a changelog whose commits hang until the test releases them
    MemoryChangelog changelog = new MemoryChangelog();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    changelog.holdCommits = release;
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(3);
    CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = pipeline(new WithChangelog<>(first, changelog), out1, 2, new SimpleMeterRegistry(), 1).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (changelog.started() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(changelog.started()).as("commits started").isEqualTo(1);

    // When: records arrive while that commit hangs
    first.limit.set(2_000);

    // Then: the only worker processes them all (the commit runs on a thread of its own), and no
    // second commit starts before the first ended
    awaitOutputs(out1, 6_000);
    Thread.sleep(50); // several checkpoint intervals
    assertThat(changelog.started()).as("commits started while the first hangs").isEqualTo(1);
    assertThat(changelog.committed()).isZero();
    release.countDown();
    while (changelog.committed() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    first.limit.set(3_000);
    awaitOutputs(out1, 9_000);
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(h1.status()).isEqualTo(PipelineHandle.Status.COMPLETED);

    // and a restart from what was committed counts every number once
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(3);
    second.limit.set(4_000);
    CollectingSink<Map.Entry<Long, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = pipeline(new WithChangelog<>(second, changelog), out2, 2).start();
    awaitOutputs(out2, 3_000);
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(out2.values()).hasSize(3_000);
    assertThat(lastPerKey(out2.values())).isEqualTo(reference(12_000));
  }

  @Test
  void when_exactly_once_output_waits_for_a_hanging_commit_then_the_source_pauses_at_the_memory_bound()
      throws InterruptedException {
    // Given: an exactly-once pipeline whose sink hands 4 MiB records to the checkpoint's commit, and
    // a changelog whose commits hang until the test releases them
    MemoryChangelog changelog = new MemoryChangelog();
    changelog.writesOutput = true;
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    changelog.holdCommits = release;
    CheckpointRestartTest.Numbers numbers = new CheckpointRestartTest.Numbers(1);
    java.util.concurrent.atomic.AtomicInteger handedOver = new java.util.concurrent.atomic.AtomicInteger();
    Pipeline p = Pipeline.named("eos-bound", PipelineConfig.builder().threads(1).batchSize(4)
        .guarantee(Guarantee.EXACTLY_ONCE).commitInterval(Duration.ofMillis(10)).build());
    p.from(new WithChangelog<>(numbers, changelog)).to(new io.nip.sink.Sink<Long>() {
      @Override
      public String name() {
        return "big-records";
      }

      @Override
      public io.nip.sink.SinkWriter<Long> createWriter(io.nip.sink.SinkContext context) {
        io.nip.sink.TransactionalOutput out = context.transactionalOutput();
        return new io.nip.sink.SinkWriter<>() {
          @Override
          public void write(Long value) {
            out.add(value, 4L << 20);
            handedOver.incrementAndGet();
          }

          @Override
          public void close() {}
        };
      }
    });
    PipelineHandle h = p.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (changelog.started() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }

    // When: 1,000 records arrive while the commit hangs
    numbers.limit.set(1_000);
    Thread.sleep(300);

    // Then: the source stopped reading once 64 MiB of output waited, and resumes after the commit
    int whileHanging = handedOver.get();
    assertThat(whileHanging).as("records handed over while the commit hangs").isBetween(17, 40);
    Thread.sleep(100);
    assertThat(handedOver.get()).isEqualTo(whileHanging);
    release.countDown();
    while (changelog.output().size() < 1_000 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    h.stop();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    List<Long> expected = new ArrayList<>();
    for (long v = 1; v <= 1_000; v++) {
      expected.add(v);
    }
    assertThat(changelog.output()).as("committed output").isEqualTo(expected);
  }

  @Test
  void when_a_commit_fails_for_good_then_the_pipeline_fails_with_its_error() throws InterruptedException {
    // Given: a changelog that refuses every commit with an error no later commit can pass
    MemoryChangelog changelog = new MemoryChangelog();
    changelog.fatal = new io.nip.errors.StateException("the cluster refuses an output record (test)");
    CheckpointRestartTest.Numbers numbers = new CheckpointRestartTest.Numbers(3);
    numbers.limit.set(100);

    // When: the pipeline runs
    PipelineHandle h = pipeline(new WithChangelog<>(numbers, changelog), Sinks.collecting("out"), 2).start();

    // Then: it stops with that error
    assertThatThrownBy(() -> h.awaitTermination(Duration.ofSeconds(30)))
        .isInstanceOf(io.nip.errors.StateException.class)
        .hasMessageContaining("refuses an output record (test)");
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.FAILED);
  }

  @Test
  void when_a_windowed_pipeline_restarts_from_its_changelog_then_open_windows_and_their_timers_continue()
      throws InterruptedException {
    // Given: a keyed tumbling-window count (state and event-time timers behind a keyBy) stopped mid-stream
    MemoryChangelog changelog = new MemoryChangelog();
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(2);
    CollectingSink<WindowResult<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = windowed(new WithChangelog<>(first, changelog), out1).start();
    first.limit.set(1_500);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out1.values().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // When: a fresh pipeline restores from the changelog and reads to the end of 3,000 per partition
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(2);
    second.limit.set(3_000);
    CollectingSink<WindowResult<Long, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = windowed(new WithChangelog<>(second, changelog), out2).start();
    deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    // offsets 0..2999 are the event times (ms): windows of 100 ms, the last ones fire once the watermark passes
    while (out1.values().size() + out2.values().size() < 29 * 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: every window that closed was emitted once, with the count of every value in it
    Map<String, Long> got = new HashMap<>();
    List<WindowResult<Long, Long>> all = new ArrayList<>(out1.values());
    all.addAll(out2.values());
    for (WindowResult<Long, Long> r : all) {
      assertThat(got.put(r.key() + "@" + r.start().toEpochMilli(), r.value())).as("emitted once: " + r).isNull();
    }
    Map<String, Long> reference = new HashMap<>();
    for (long next = 0; next < 3_000; next++) {
      for (int p = 0; p < 2; p++) {
        long v = next * 2 + p + 1;
        reference.merge((v % 3) + "@" + (next / 100) * 100, 1L, Long::sum);
      }
    }
    got.forEach((k, v) -> assertThat(v).as("window " + k).isEqualTo(reference.get(k)));
    assertThat(got).hasSizeGreaterThanOrEqualTo(29 * 3);
  }

  @Test
  void when_many_keys_hold_timers_then_checkpoints_write_only_changed_timers_and_a_restart_fires_them_all()
      throws InterruptedException {
    // Given: 2,000 keys, each counting its numbers of a 10-second bucket until an event-time timer at
    // the bucket's end, checkpointed every 10 ms while 3,000 numbers are read, then stopped
    MemoryChangelog changelog = new MemoryChangelog();
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(2);
    CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = perKeyBuckets(new WithChangelog<>(first, changelog), out1).start();
    first.limit.set(1_500);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (changelog.changesOf("buckets/__timers") < 2_000 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: every timer went to the operator's timer store once (registering it again for the next
    // record of its window changes nothing), and no task's metadata carries timers
    assertThat(changelog.changesOf("buckets/__timers")).as("timer store changes").isEqualTo(2_000);
    assertThat(changelog.maxMetaBytes()).as("largest task metadata, bytes").isLessThan(512);
    assertThat(out1.values()).as("no window closed yet").isEmpty();

    // When: a fresh pipeline restores and reads on until the first windows close
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(2);
    second.limit.set(10_500);
    CollectingSink<Map.Entry<Long, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = perKeyBuckets(new WithChangelog<>(second, changelog), out2).start();
    deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out2.values().size() < 2_000 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: every key's first bucket fired once, with all of its 10 numbers (times 0..9,999 ms)
    Map<Long, Long> got = new HashMap<>();
    for (Map.Entry<Long, Long> r : out2.values()) {
      assertThat(got.put(r.getKey(), r.getValue())).as("emitted once: " + r).isNull();
    }
    assertThat(got).hasSize(2_000);
    got.forEach((k, v) -> assertThat(v).as("key " + k).isEqualTo(10L));
    // and the fired timers left the store: deletions were committed too
    assertThat(changelog.changesOf("buckets/__timers")).as("timer store changes").isGreaterThanOrEqualTo(4_000);
  }

  /**
   * Per key (value mod 2,000), the count of its numbers per 10-second bucket (a store per bucket),
   * emitted by a timer at the bucket's end.
   */
  static final class Buckets implements KeyedProcessor<Long, Long, Map.Entry<Long, Long>> {
    @Override
    public void process(Long key, Long value, KeyedContext<Long, Map.Entry<Long, Long>> ctx) {
      long bucket = ctx.timestamp().toEpochMilli() / 10_000;
      ValueState<Long> count = ctx.valueState("count-" + bucket, Serdes.json(Long.class));
      count.update(count.valueOr(0L) + 1);
      long end = (bucket + 1) * 10_000 - 1;
      ctx.registerEventTimeTimer(java.time.Instant.ofEpochMilli(end)); // once per bucket: a duplicate is ignored
    }

    @Override
    public void onTimer(Long key, java.time.Instant time, io.nip.time.TimeDomain domain,
        KeyedContext<Long, Map.Entry<Long, Long>> ctx) {
      ValueState<Long> count = ctx.valueState("count-" + time.toEpochMilli() / 10_000, Serdes.json(Long.class));
      ctx.emit(Map.entry(key, count.valueOr(0L)));
      count.clear();
    }
  }

  private static Pipeline perKeyBuckets(Source<Long> source, CollectingSink<Map.Entry<Long, Long>> out) {
    Pipeline p = Pipeline.named("changelog-timers", PipelineConfig.builder().threads(2).parallelism(2)
        .batchSize(16).commitInterval(Duration.ofMillis(10)).build());
    p.from(source, WatermarkStrategy.<Long>boundedOutOfOrderness(Duration.ZERO).withIdleTimeout(Duration.ofDays(1)))
        .keyBy(v -> v % 2_000, Serdes.json(Long.class))
        .process(new Buckets(), Op.named("buckets"))
        .to(out);
    return p;
  }

  private static Pipeline windowed(Source<Long> source, CollectingSink<WindowResult<Long, Long>> out) {
    Pipeline p = Pipeline.named("changelog-windows", PipelineConfig.builder().threads(2).parallelism(2)
        .batchSize(16).commitInterval(Duration.ofMillis(10)).build());
    // no idleness: a partition scheduled late on a loaded machine must hold the watermark back, not
    // see its records judged late
    p.from(source, WatermarkStrategy.<Long>boundedOutOfOrderness(Duration.ZERO).withIdleTimeout(Duration.ofDays(1)))
        .keyBy(v -> v % 3, Serdes.json(Long.class))
        .window(TumblingWindow.of(Duration.ofMillis(100)))
        .aggregate(Aggregates.count(), Op.named("counts"))
        .to(out);
    return p;
  }

  @Test
  void when_a_window_with_early_results_restarts_from_its_changelog_then_its_early_results_go_on()
      throws InterruptedException {
    // Given: hour-long windows with early results every 20 ms, whose early timers fired with nothing new
    // (so the last committed state of each window says that no early timer is pending), then stopped
    MemoryChangelog changelog = new MemoryChangelog();
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(2);
    CollectingSink<WindowResult<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = earlyWindowed(new WithChangelog<>(first, changelog), out1).start();
    first.limit.set(300);
    awaitEarlyCounts(out1, 200); // 600 values over 3 keys
    // the early timers fire with nothing new and are not set again: once a commit has that, the timer
    // store holds only each window's event-time timer (its end)
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (committedTimers(changelog, "counts/__timers") != 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(committedTimers(changelog, "counts/__timers")).as("committed timers, no early one").isEqualTo(3);
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // When: a fresh pipeline restores the windows and reads 600 more values into them
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(2);
    second.limit.set(600);
    CollectingSink<WindowResult<Long, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = earlyWindowed(new WithChangelog<>(second, changelog), out2).start();
    try {
      // Then: each window's early results go on, counting every value of both runs once
      awaitEarlyCounts(out2, 400);
    } finally {
      h2.stop();
      assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(out2.values()).allSatisfy(r -> {
      assertThat(r.firing()).isEqualTo(WindowResult.Firing.EARLY);
      assertThat(r.value()).isBetween(200L, 400L);
    });
  }

  private static Pipeline earlyWindowed(Source<Long> source, CollectingSink<WindowResult<Long, Long>> out) {
    Pipeline p = Pipeline.named("changelog-early", PipelineConfig.builder().threads(2).parallelism(2)
        .batchSize(16).commitInterval(Duration.ofMillis(10)).build());
    // event times are the offsets (ms): every value lies in the first hour's window, which never closes here
    p.from(source, WatermarkStrategy.<Long>boundedOutOfOrderness(Duration.ZERO).withIdleTimeout(Duration.ofDays(1)))
        .keyBy(v -> v % 3, Serdes.json(Long.class))
        .window(TumblingWindow.of(Duration.ofHours(1)))
        .emitEarly(EarlyEmit.every(Duration.ofMillis(20)))
        .aggregate(Aggregates.count(), Op.named("counts"))
        .to(out);
    return p;
  }

  /** @return the timers a restore would read from the committed log of {@code storeId}, over every partition */
  private static int committedTimers(MemoryChangelog changelog, String storeId) {
    int live = 0;
    for (int p = 0; p < 8; p++) {
      Map<String, Boolean> last = new HashMap<>();
      for (StateChangelog.Change c : changelog.log(storeId, p)) {
        last.put(java.util.Arrays.toString(c.key()), c.value() != null);
      }
      live += (int) last.values().stream().filter(v -> v).count();
    }
    return live;
  }

  /** Waits until the latest early result of each of the 3 keys counts {@code count}. */
  private static void awaitEarlyCounts(CollectingSink<WindowResult<Long, Long>> out, long count)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Map<Long, Long> latest = new HashMap<>();
    while (System.nanoTime() < deadline) {
      latest.clear();
      for (WindowResult<Long, Long> r : out.values()) {
        latest.put(r.key(), r.value());
      }
      if (latest.size() == 3 && latest.values().stream().allMatch(v -> v == count)) {
        return;
      }
      Thread.sleep(5);
    }
    assertThat(latest).as("the latest early count of each key").isEqualTo(Map.of(0L, count, 1L, count, 2L, count));
  }

  @Test
  void when_a_run_dies_after_its_last_commit_then_the_restart_resumes_from_the_committed_state()
      throws InterruptedException {
    // Given: a run whose commits all fail from some point on (as if the process had died there)
    MemoryChangelog changelog = new MemoryChangelog();
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(3);
    CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = pipeline(new WithChangelog<>(first, changelog), out1, 2).start();
    first.limit.set(1_000);
    awaitOutputs(out1, 3_000);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (changelog.positions().size() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    changelog.frozen = true;
    first.limit.set(2_000);
    awaitOutputs(out1, 6_000);
    h1.stop();
    assertThatThrownBy(() -> h1.awaitTermination(Duration.ofSeconds(30)))
        .isInstanceOf(StateChangelog.CommitFailure.class).hasMessageContaining("a restart resumes from checkpoint");
    changelog.frozen = false;
    long committedRecords = 0;
    for (SourcePosition p : changelog.positions().values()) {
      committedRecords += p.offset();
    }

    // When: a fresh pipeline restarts from what was committed and reads to 3,000 per partition
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(3);
    second.limit.set(3_000);
    CollectingSink<Map.Entry<Long, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = pipeline(new WithChangelog<>(second, changelog), out2, 2).start();
    awaitOutputs(out2, (int) (9_000 - committedRecords));
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: the second run replayed exactly what was not committed, and its sums equal the reference
    assertThat(committedRecords).isLessThan(6_000);
    assertThat(out2.values()).hasSize((int) (9_000 - committedRecords));
    assertThat(lastPerKey(out2.values())).isEqualTo(reference(9_000));
  }

  @Test
  void when_a_restart_has_fewer_keyed_tasks_than_the_committed_state_then_it_is_refused() throws InterruptedException {
    // Given: state committed by 2 keyed tasks (each key's state in the changelog partition of its task)
    MemoryChangelog changelog = new MemoryChangelog();
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(3);
    CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = pipeline(new WithChangelog<>(first, changelog), out1, 2).start();
    first.limit.set(100);
    awaitOutputs(out1, 300);
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // When / Then: a restart with one keyed task would restore only the first task's partition
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(3);
    assertThatThrownBy(() -> pipeline(new WithChangelog<>(second, changelog), Sinks.collecting("out"), 1).start())
        .isInstanceOf(io.nip.errors.ConfigurationException.class)
        .hasMessageContaining("keyed-0-1").hasMessageContaining("parallelism");
  }

  /**
   * A backend whose stores outlive the pipeline (like Redis): a store created again for the same
   * task, operator and name holds what the earlier run wrote, committed or not.
   */
  static final class OutlivingBackend implements StateBackend {
    private final Map<String, KeyValueStore<?, ?>> stores = new ConcurrentHashMap<>();

    @Override
    public String name() {
      return "outliving";
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
      KeyValueStore<K, V> inner = (KeyValueStore<K, V>) stores.computeIfAbsent(
          scope.taskId() + "/" + scope.operator() + "/" + spec.name(),
          k -> StateBackend.inMemory().createKeyValueStore(spec, scope, clock));
      return new KeyValueStore<>() {
        @Override
        public String name() {
          return inner.name();
        }

        @Override
        public V get(K key) {
          return inner.get(key);
        }

        @Override
        public void put(K key, V value) {
          inner.put(key, value);
        }

        @Override
        public void putRestored(K key, V value, long expiresAtMillis) {
          inner.putRestored(key, value, expiresAtMillis);
        }

        @Override
        public V delete(K key) {
          return inner.delete(key);
        }

        @Override
        public void forEach(BiConsumer<? super K, ? super V> action) {
          inner.forEach(action);
        }

        @Override
        public long approximateSize() {
          return inner.approximateSize();
        }

        @Override
        public int purgeExpired() {
          return inner.purgeExpired();
        }

        @Override
        public StoreSnapshot snapshot() {
          return inner.snapshot();
        }

        @Override
        public void restore(StoreSnapshot snapshot) {
          inner.restore(snapshot);
        }

        @Override
        public void close() {
          // the content stays for the next run
        }
      };
    }
  }

  @Test
  void when_the_backend_kept_uncommitted_writes_of_a_run_that_died_then_the_restart_holds_only_committed_state()
      throws InterruptedException {
    // Given: a backend whose stores outlive the run, and a run that committed 1,000 records, then
    // wrote the state of 500 more (a new key among them) that were never committed
    OutlivingBackend backend = new OutlivingBackend();
    MemoryChangelog changelog = new MemoryChangelog();
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(1);
    CollectingSink<Map.Entry<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = perFiveHundred(new WithChangelog<>(first, changelog), out1, backend).start();
    first.limit.set(1_000);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while ((changelog.positions().isEmpty() || changelog.positions().get(0).offset() < 1_000)
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    changelog.frozen = true;
    first.limit.set(1_500);
    awaitOutputs(out1, 1_500);
    h1.stop();
    assertThatThrownBy(() -> h1.awaitTermination(Duration.ofSeconds(30)))
        .isInstanceOf(StateChangelog.CommitFailure.class);
    changelog.frozen = false;

    // When: a restart on the same backend reads from the committed position to 2,000
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(1);
    second.limit.set(2_000);
    CollectingSink<Map.Entry<Long, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = perFiveHundred(new WithChangelog<>(second, changelog), out2, backend).start();
    awaitOutputs(out2, 1_000);
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: every key's sum counts each of its values once
    Map<Long, Long> reference = new HashMap<>();
    for (long v = 1; v <= 2_000; v++) {
      reference.merge((v - 1) / 500, v, Long::sum);
    }
    Map<Long, Long> all = lastPerKey(out1.values());
    all.putAll(lastPerKey(out2.values()));
    assertThat(all).isEqualTo(reference);
  }

  /** A sum per block of 500 consecutive values: a new key every 500 records. */
  private static Pipeline perFiveHundred(Source<Long> source, CollectingSink<Map.Entry<Long, Long>> out,
      StateBackend backend) {
    Pipeline p = Pipeline.named("changelog-outliving", PipelineConfig.builder().threads(2).parallelism(2)
        .batchSize(16).commitInterval(Duration.ofMillis(10)).stateBackend(backend).build());
    p.from(source)
        .keyBy(v -> (v - 1) / 500, Serdes.json(Long.class))
        .process(SUMMER, Op.named("summer"))
        .to(out);
    return p;
  }
}
