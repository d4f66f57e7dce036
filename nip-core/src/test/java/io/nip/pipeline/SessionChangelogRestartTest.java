package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.state.MemoryChangelog;
import io.nip.time.WatermarkStrategy;
import io.nip.window.Aggregates;
import io.nip.window.SessionWindow;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Session windows on the threaded runtime with a changelog: their timers are derived from the
 * windows (never written to the changelog) and armed again after a restore, so a restarted pipeline
 * fires every session that closes, once, with exact contents.
 */
class SessionChangelogRestartTest {
  private static final long GAP = 50;
  private static final long LATENESS = 150;

  /** Event time n (ms) is kept unless n falls in every third block of 100 ms: 100 ms pauses end sessions. */
  private static boolean kept(long value) {
    long n = (value - 1) / 2;
    return (n / 100) % 3 != 0;
  }

  private static Pipeline sessions(Source<Long> source, CollectingSink<WindowResult<Long, Long>> out) {
    Pipeline p = Pipeline.named("changelog-sessions", PipelineConfig.builder().threads(2).parallelism(2)
        .batchSize(16).commitInterval(Duration.ofMillis(10)).build());
    p.from(source, WatermarkStrategy.<Long>boundedOutOfOrderness(Duration.ZERO).withIdleTimeout(Duration.ofDays(1)))
        .filter(SessionChangelogRestartTest::kept)
        .keyBy(v -> v % 5, Serdes.json(Long.class))
        .window(SessionWindow.withGap(Duration.ofMillis(GAP)))
        .allowedLateness(Duration.ofMillis(LATENESS))
        .aggregate(Aggregates.count(), Op.named("sessions"))
        .to(out);
    return p;
  }

  /** Per "key@start", the count of every session of the values below {@code limit} per partition that closes. */
  private static Map<String, Long> reference(long limit) {
    Map<Long, TreeMap<Long, Long>> timesPerKey = new HashMap<>();
    for (long n = 0; n < limit; n++) {
      for (int p = 0; p < 2; p++) {
        long v = n * 2 + p + 1;
        if (kept(v)) {
          timesPerKey.computeIfAbsent(v % 5, k -> new TreeMap<>()).merge(n, 1L, Long::sum);
        }
      }
    }
    Map<String, Long> sessions = new HashMap<>();
    long watermark = limit - 1;
    timesPerKey.forEach((key, times) -> {
      long start = -1;
      long last = -1;
      long count = 0;
      for (Map.Entry<Long, Long> e : times.entrySet()) {
        if (start >= 0 && e.getKey() >= last + GAP) {
          if (last + GAP <= watermark) {
            sessions.put(key + "@" + start, count);
          }
          start = -1;
        }
        if (start < 0) {
          start = e.getKey();
          count = 0;
        }
        last = e.getKey();
        count += e.getValue();
      }
      if (start >= 0 && last + GAP <= watermark) {
        sessions.put(key + "@" + start, count);
      }
    });
    return sessions;
  }

  @Test
  void when_a_session_pipeline_restarts_from_its_changelog_then_every_session_fires_once_and_no_timer_is_written()
      throws InterruptedException {
    // Given: sessions per key (gap 50 ms, lateness 150 ms) stopped mid-stream, with sessions open,
    // fired and closed at the stop
    MemoryChangelog changelog = new MemoryChangelog();
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(2);
    CollectingSink<WindowResult<Long, Long>> out1 = Sinks.collecting("out");
    PipelineHandle h1 = sessions(new ChangelogRestartTest.WithChangelog<>(first, changelog), out1).start();
    first.limit.set(1_450);
    Map<String, Long> reference = reference(3_000);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out1.values().size() < reference(1_450).size() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(out1.values()).as("sessions closed before the stop").isNotEmpty();

    // When: a fresh pipeline restores from the changelog and reads on to 3,000 per partition
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(2);
    second.limit.set(3_000);
    CollectingSink<WindowResult<Long, Long>> out2 = Sinks.collecting("out");
    PipelineHandle h2 = sessions(new ChangelogRestartTest.WithChangelog<>(second, changelog), out2).start();
    deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out1.values().size() + out2.values().size() < reference.size() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: every session that closed was emitted once, on time, with all of its events
    Map<String, Long> got = new HashMap<>();
    List<WindowResult<Long, Long>> all = new ArrayList<>(out1.values());
    all.addAll(out2.values());
    for (WindowResult<Long, Long> r : all) {
      assertThat(r.firing()).isEqualTo(WindowResult.Firing.ON_TIME);
      assertThat(got.put(r.key() + "@" + r.start().toEpochMilli(), r.value())).as("emitted once: " + r).isNull();
    }
    assertThat(got).isEqualTo(reference);
    // and the window timers never went to the changelog: the windows are enough to arm them again
    assertThat(changelog.changesOf("sessions/__timers")).as("timer store changes").isZero();
    assertThat(changelog.changesOf("sessions/windows")).as("window store changes").isPositive();
  }
}
