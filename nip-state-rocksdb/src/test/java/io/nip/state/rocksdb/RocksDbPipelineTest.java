package io.nip.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.state.StateBackend;
import io.nip.state.ValueState;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import io.nip.window.Aggregates;
import io.nip.window.SessionWindow;
import io.nip.window.SlidingWindow;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: keyed pipelines (tumbling, sliding and session aggregates, and a keyed processor's
 * value state) give the same results on RocksDB as on the in-memory backend, plainly, with the
 * tasks restored between records, and across a restart from a checkpoint storage.
 */
class RocksDbPipelineTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  @TempDir
  Path dir;

  /** A click of a user, with an amount. */
  record Click(String user, long t, double amount) {}

  /** The sinks of one pipeline. */
  private record Outputs(CollectingSink<WindowResult<String, Double>> tumbling,
      CollectingSink<WindowResult<String, Long>> sliding, CollectingSink<WindowResult<String, Long>> sessions,
      CollectingSink<String> totals) {
    Outputs() {
      this(Sinks.collecting("tumbling"), Sinks.collecting("sliding"), Sinks.collecting("sessions"),
          Sinks.collecting("reached"));
    }

    List<String> all(PipelineTestDriver d) {
      List<String> out = new ArrayList<>();
      out.addAll(fmt(d.output(tumbling)));
      out.addAll(fmt(d.output(sliding)));
      out.addAll(fmt(d.output(sessions)));
      out.addAll(d.output(totals));
      return out;
    }

    private static List<String> fmt(List<? extends WindowResult<String, ?>> results) {
      return results.stream().map(r -> r.key() + "[" + r.start().toEpochMilli() + "," + r.end().toEpochMilli() + ")="
          + r.value() + ":" + r.firing()).collect(Collectors.toList());
    }
  }

  private static Pipeline pipeline(StateBackend backend, Outputs out) {
    Pipeline p = Pipeline.named("clicks", PipelineConfig.builder().stateBackend(backend).build());
    KeyedStream<String, Click> byUser = p.from(Sources.<Click>collection("in", List.of()),
            WatermarkStrategy.<Click>boundedOutOfOrderness(Duration.ofSeconds(5))
                .withTimestamps(c -> Instant.ofEpochMilli(c.t())))
        .keyBy(Click::user);
    byUser.window(TumblingWindow.of(Duration.ofMinutes(1))).aggregate(Aggregates.sum(Click::amount)).to(out.tumbling());
    byUser.window(SlidingWindow.of(Duration.ofMinutes(2), Duration.ofSeconds(30))).aggregate(Aggregates.count())
        .to(out.sliding());
    byUser.window(SessionWindow.withGap(Duration.ofSeconds(20))).aggregate(Aggregates.count()).to(out.sessions());
    byUser.<String>process((user, click, ctx) -> {
      ValueState<Double> total = ctx.valueState("total", Serdes.json(Double.class));
      total.update(total.valueOr(0.0) + click.amount());
      if (click.amount() > 9.5) {
        ctx.emit(user + " reached " + total.value());
      }
    }, Op.named("totals")).to(out.totals());
    return p;
  }

  private static List<Click> clicks(int n, long seed) {
    Random r = new Random(seed);
    List<Click> out = new ArrayList<>();
    long t = T0.toEpochMilli();
    for (int i = 0; i < n; i++) {
      t += r.nextInt(3_000);
      long jitter = r.nextInt(4_000); // out of order, within the 5 s bound
      out.add(new Click("user" + r.nextInt(40), t - jitter, Math.round(r.nextDouble() * 100) / 10.0));
    }
    return out;
  }

  private static List<String> run(StateBackend backend, List<Click> clicks, DriverMode mode) {
    Outputs out = new Outputs();
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(backend, out), T0, mode)) {
      TestInput<Click> in = d.input("in");
      for (Click c : clicks) {
        in.pipe(c, Instant.ofEpochMilli(c.t()));
      }
      d.endAllInputs();
      return out.all(d);
    }
  }

  private RocksDbStateBackend rocks(Path stateDir) {
    return RocksDbStateBackend.builder(stateDir).blockCacheSize(16L << 20).writeBufferSize(4L << 20)
        .writeCacheEntries(16).build();
  }

  @Test
  void when_windows_and_value_state_run_on_rocksdb_then_the_results_equal_those_in_memory() {
    List<Click> clicks = clicks(3_000, 1);
    List<String> expected = run(StateBackend.inMemory(), clicks, DriverMode.PLAIN);

    List<String> actual;
    try (RocksDbStateBackend rocks = rocks(dir)) {
      actual = run(rocks, clicks, DriverMode.PLAIN);
    }

    assertThat(expected).hasSizeGreaterThan(1_000);
    assertThat(actual).containsExactlyElementsOf(expected);
    assertThat(dir.resolve("clicks")).isDirectory();
  }

  @Test
  void when_the_tasks_are_restored_between_records_then_rocksdb_gives_the_results_of_memory() {
    List<Click> clicks = clicks(60, 2);
    List<String> expected = run(StateBackend.inMemory(), clicks, DriverMode.PLAIN);

    List<String> actual;
    try (RocksDbStateBackend rocks = rocks(dir)) {
      actual = run(rocks, clicks, DriverMode.RESTORE_BETWEEN_RECORDS);
    }

    assertThat(actual).containsExactlyElementsOf(expected);
  }

  @Test
  void when_a_restarted_process_restores_from_a_checkpoint_storage_then_rocksdb_gives_the_results_of_memory()
      throws Exception {
    List<Click> clicks = clicks(600, 3);
    List<String> expected = run(StateBackend.inMemory(), clicks, DriverMode.PLAIN);
    Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
    Function<Integer, List<String>> runUpTo = cut -> {
      Outputs out = new Outputs();
      try (RocksDbStateBackend rocks = rocks(dir.resolve("state"));
           PipelineTestDriver d = PipelineTestDriver.withCheckpoints(pipeline(rocks, out), T0,
               CheckpointStorage.localDirectory(checkpoints))) {
        TestInput<Click> in = d.input("in");
        for (Click c : clicks.subList(0, cut)) {
          in.pipe(c, Instant.ofEpochMilli(c.t()));
        }
        if (cut < clicks.size()) {
          d.checkpoint();
        } else {
          d.endAllInputs();
        }
        return out.all(d);
      }
    };

    List<String> actual = new ArrayList<>(runUpTo.apply(250));
    actual.addAll(runUpTo.apply(clicks.size()));

    assertThat(sortedPerSink(actual)).isEqualTo(sortedPerSink(expected));
  }

  /** Each process's output keeps its order; across the restart the sinks interleave differently. */
  private static List<String> sortedPerSink(List<String> lines) {
    return lines.stream().sorted().collect(Collectors.toList());
  }
}
