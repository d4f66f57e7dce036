package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.ChildJvm;
import io.nip.KillHarness;
import io.nip.event.GenericEvent;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact state after {@code kill -9}: a keyed count over a rate-limited generator with a local
 * checkpoint storage runs in a child JVM that is killed with SIGKILL at random moments and started
 * again; the run that finally completes emits, per key, the count and a checksum of the event ids it
 * holds in state, which must equal a reference computed from the generator directly — no event
 * lost, none counted twice, whatever the kills interrupted (a snapshot, a storage write, a
 * completion).
 */
class KillRestartTest {
  /**
   * Kills per run: 3 in the build; the long variant is
   * {@code mvn -B test -pl nip-core -am -Dtest=KillRestartTest -Dsurefire.failIfNoSpecifiedTests=false -Dnip.kills=30}.
   */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  /** Enough events that every killed run is still reading (each reads at most ~2 s at the rate). */
  static final int EVENTS = Math.max(40_000, KILLS * 13_000);
  static final int RATE = 6_000;

  static GeneratorSpec spec(long events) {
    return GeneratorSpec.builder().events(events).ratePerSecond(RATE).keys(50).partitions(2).seed(7)
        .botRatio(0).build();
  }

  /** The job the test kills: args = checkpoint directory, output file, number of events. */
  public static final class Job {
    public static void main(String[] args) {
      Pipeline p = Pipeline.named("kill-restart", PipelineConfig.builder().threads(2).parallelism(2)
          .commitInterval(Duration.ofMillis(50))
          .checkpointStorage(CheckpointStorage.localDirectory(Path.of(args[0]))).build());
      p.from(Sources.generator("events", spec(Long.parseLong(args[2]))))
          .keyBy(GenericEvent::key, Serdes.string())
          .process(KillHarness.<GenericEvent>counter(e -> e.eventId().hashCode()), Op.named("counter"))
          .to(Sinks.jsonLines("out", Path.of(args[1]), Serdes.string()));
      p.start().awaitTermination();
      System.exit(0);
    }
  }

  private static Map<String, String> reference() {
    Map<String, long[]> acc = new HashMap<>();
    GeneratorSpec unthrottled = GeneratorSpec.builder().events(EVENTS).keys(50).partitions(2).seed(7)
        .botRatio(0).build();
    for (GenericEvent e : KillHarness.generated("events", unthrottled, 2)) {
      long[] a = acc.computeIfAbsent(e.key(), k -> new long[2]);
      a[0]++;
      a[1] += e.eventId().hashCode();
    }
    Map<String, String> ref = new HashMap<>();
    acc.forEach((k, a) -> ref.put(k, a[0] + " " + a[1]));
    return ref;
  }

  private static Process start(Path checkpoints, Path output) throws IOException {
    return ChildJvm.start(Job.class, output.resolveSibling(output.getFileName() + ".log"),
        checkpoints.toString(), output.toString(), Integer.toString(EVENTS));
  }

  @Test
  void when_the_process_is_killed_at_random_moments_then_the_completed_run_holds_every_event_once(
      @TempDir Path dir) throws Exception {
    // When: the job is killed with SIGKILL at random moments once it checkpoints, restarted each time, then completes
    Map<String, String> got = KillHarness.killThenComplete(dir, KILLS, 1_300, 120, KillRestartTest::start);

    // Then: per key, the count and checksum of the events in state equal the reference
    assertThat(got).isEqualTo(reference());
    assertThat(new File(dir.toFile(), "out-0.jsonl").length()).as("a killed run emitted no final counts").isZero();
  }
}
