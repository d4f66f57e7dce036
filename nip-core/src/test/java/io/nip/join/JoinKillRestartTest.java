package io.nip.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.ChildJvm;
import io.nip.KillHarness;
import io.nip.event.GenericEvent;
import io.nip.pipeline.JoinWindow;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.Stream;
import io.nip.pipeline.Table;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import io.nip.time.WatermarkStrategy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Join state after {@code kill -9}: a join of two rate-limited generators (clicks and views, 50
 * keys, disorder within the watermarks' bound) feeds a keyed counter of the pairs (count and
 * checksum per key, in state) and checkpoints to a local directory; it runs in a child JVM killed
 * with SIGKILL at random moments and started again. The run that completes emits each key's count
 * and checksum, which must equal the brute-force join of the two generators' events: no pair lost
 * with join state that a kill interrupted, none counted twice. Two joins: a window join (clicks and
 * views within 20 ms), and a table join (each click with the time of its key's latest view at or
 * before it; the views come twice as fast, so most clicks are behind the views' own watermark and
 * are joined on arrival, the others wait), also with its inputs aligned on their watermarks (2 s of
 * drift: the views are paused again and again while barriers pass every 50 ms).
 */
class JoinKillRestartTest {
  /** Kills per run: 3 in the build; {@code -Dnip.kills=30} for the long variant. */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  static final int EVENTS = Math.max(20_000, KILLS * 7_000);
  static final int RATE = 3_000;
  static final Duration WITHIN = Duration.ofMillis(20);

  static GeneratorSpec spec(String side, long events, boolean throttled) {
    return spec(side, events, throttled ? RATE : 0);
  }

  /** @param rate events per second, 0 for as fast as it goes */
  static GeneratorSpec spec(String side, long events, int rate) {
    GeneratorSpec.Builder b = GeneratorSpec.builder().events(events).keys(50).partitions(2)
        .seed(side.equals("clicks") ? 11 : 13).botRatio(0).timeStep(Duration.ofMillis(1))
        .maxDisorder(Duration.ofMillis(200)).startTime(Instant.parse("2026-01-01T00:00:00Z"));
    return rate > 0 ? b.ratePerSecond(rate).build() : b.build();
  }

  /**
   * The job the test kills: args = checkpoint directory, output file, events per side, join (window,
   * table, or table-aligned: the same with watermark alignment).
   */
  public static final class Job {
    public static void main(String[] args) {
      long events = Long.parseLong(args[2]);
      PipelineConfig.Builder config = PipelineConfig.builder().threads(2).parallelism(2)
          .commitInterval(Duration.ofMillis(50)).checkpointStorage(CheckpointStorage.localDirectory(Path.of(args[0])));
      if (args[3].endsWith("-aligned")) {
        config.watermarkAlignment(Duration.ofSeconds(2));
      }
      Pipeline p = Pipeline.named("join-kill", config.build());
      WatermarkStrategy<GenericEvent> wm = WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(1));
      Stream<String> clicks = p.from(Sources.generator("clicks", spec("clicks", events, true)), wm)
          .map(e -> e.key() + " " + e.eventId(), Op.named("click-ids"));
      // the table's updates come twice as fast: their watermark runs ahead of the clicks (aligned: up to the drift)
      boolean table = args[3].startsWith("table");
      Stream<String> views = p.from(Sources.generator("views", spec("views", events, table ? 2 * RATE : RATE)), wm)
          .map(e -> e.key() + " " + e.eventId() + " " + e.eventTime().toEpochMilli(), Op.named("view-ids"));
      Joins.Left<String, String> left = Joins.left(clicks, JoinKillRestartTest::key, Serdes.string());
      Joins.Builder<String, String, String> join = table
          ? left.latest(Table.from(views, JoinKillRestartTest::key, v -> v.substring(v.lastIndexOf(' ') + 1),
              Serdes.string(), Duration.ofSeconds(10)))
          : left.window(views.map(v -> v.substring(0, v.lastIndexOf(' ')), Op.named("view-keys")),
              JoinKillRestartTest::key, Serdes.string(), JoinWindow.within(WITHIN));
      join.keySerde(Serdes.string())
          .apply((c, v) -> c + " " + v, Op.named("join"))
          .keyBy(JoinKillRestartTest::key, Serdes.string())
          .<String>process(new KeyedProcessor<>() {
            @Override
            public void process(String key, String pair, KeyedContext<String, String> ctx) {
              ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
              ValueState<Long> checksum = ctx.valueState("checksum", Serdes.json(Long.class));
              count.update(count.valueOr(0L) + 1);
              checksum.update(checksum.valueOr(0L) + pair.hashCode());
              ctx.registerEventTimeTimer(Instant.ofEpochMilli(Long.MAX_VALUE));
            }

            @Override
            public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
              ctx.emit(key + " " + ctx.valueState("count", Serdes.json(Long.class)).value() + " "
                  + ctx.valueState("checksum", Serdes.json(Long.class)).value());
            }
          }, Op.named("pairs"))
          .to(Sinks.jsonLines("out", Path.of(args[1]), Serdes.string()));
      p.start().awaitTermination();
      System.exit(0);
    }
  }

  static String key(String keyAndId) {
    return keyAndId.substring(0, keyAndId.indexOf(' '));
  }

  /** Every generated event of one side: key, id and event time. */
  private static List<Object[]> events(String side) {
    List<Object[]> all = new ArrayList<>();
    for (GenericEvent e : KillHarness.generated(side, spec(side, EVENTS, false), 2)) {
      all.add(new Object[] {e.key(), e.key() + " " + e.eventId(), e.eventTime().toEpochMilli()});
    }
    return all;
  }

  /**
   * The brute-force table join: per key, the number of clicks with a view at or before them, and the
   * checksum of "click view-time" over them, the view time being the latest at or before the click.
   */
  private static Map<String, String> tableReference() {
    Map<String, List<Object[]>> viewsByKey = new HashMap<>();
    for (Object[] v : events("views")) {
      viewsByKey.computeIfAbsent((String) v[0], k -> new ArrayList<>()).add(v);
    }
    Map<String, long[]> acc = new HashMap<>();
    for (Object[] c : events("clicks")) {
      long latest = Long.MIN_VALUE;
      for (Object[] v : viewsByKey.getOrDefault((String) c[0], List.of())) {
        long t = (Long) v[2];
        if (t <= (Long) c[2] && t > latest) {
          latest = t;
        }
      }
      if (latest != Long.MIN_VALUE) {
        long[] a = acc.computeIfAbsent((String) c[0], k -> new long[2]);
        a[0]++;
        a[1] += (c[1] + " " + latest).hashCode();
      }
    }
    Map<String, String> ref = new HashMap<>();
    acc.forEach((k, a) -> ref.put(k, a[0] + " " + a[1]));
    return ref;
  }

  /** The brute-force join: per key, the number of (click, view) pairs within {@link #WITHIN}, and their checksum. */
  private static Map<String, String> reference() {
    Map<String, List<Object[]>> viewsByKey = new HashMap<>();
    for (Object[] v : events("views")) {
      viewsByKey.computeIfAbsent((String) v[0], k -> new ArrayList<>()).add(v);
    }
    Map<String, long[]> acc = new HashMap<>();
    long within = WITHIN.toMillis();
    for (Object[] c : events("clicks")) {
      for (Object[] v : viewsByKey.getOrDefault((String) c[0], List.of())) {
        if (Math.abs((Long) c[2] - (Long) v[2]) <= within) {
          long[] a = acc.computeIfAbsent((String) c[0], k -> new long[2]);
          a[0]++;
          a[1] += (c[1] + " " + v[1]).hashCode();
        }
      }
    }
    Map<String, String> ref = new HashMap<>();
    acc.forEach((k, a) -> ref.put(k, a[0] + " " + a[1]));
    return ref;
  }

  private static Process start(Path checkpoints, Path output, String join) throws IOException {
    return ChildJvm.start(Job.class, output.resolveSibling(output.getFileName() + ".log"),
        checkpoints.toString(), output.toString(), Integer.toString(EVENTS), join);
  }

  @Test
  void when_the_join_is_killed_at_random_moments_then_the_completed_run_counted_every_pair_once(@TempDir Path dir)
      throws Exception {
    // When: the job is killed with SIGKILL at random moments once it checkpoints, restarted each time, then completes
    Map<String, String> got = KillHarness.killThenComplete(dir, KILLS, 1_500, 180,
        (checkpoints, output) -> start(checkpoints, output, "window"));

    // Then: per key, the count and checksum of the pairs equal the brute-force join's
    Map<String, String> expected = reference();
    assertThat(expected).as("the workload joins pairs").hasSizeGreaterThan(40);
    assertThat(got).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"table", "table-aligned"})
  void when_the_table_join_is_killed_at_random_moments_then_the_completed_run_joined_every_click_once(
      String join, @TempDir Path dir) throws Exception {
    // When: the table join is killed with SIGKILL at random moments, restarted each time, then completes
    Map<String, String> got = KillHarness.killThenComplete(dir, KILLS, 1_500, 180,
        (checkpoints, output) -> start(checkpoints, output, join));

    // Then: per key, the count and checksum of the joined clicks equal the brute-force as-of join's
    Map<String, String> expected = tableReference();
    assertThat(expected).as("the workload joins clicks").hasSizeGreaterThan(40);
    assertThat(got).isEqualTo(expected);
  }
}
