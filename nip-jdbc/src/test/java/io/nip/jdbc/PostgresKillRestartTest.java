package io.nip.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.event.GenericEvent;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.source.Sources;
import io.nip.state.ValueState;
import io.nip.time.NipClock;
import io.nip.time.TimeDomain;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact state after {@code kill -9} with the checkpoints in PostgreSQL (nip-core's
 * {@code KillRestartTest} on this storage): a keyed count over a rate-limited generator runs in a
 * child JVM that is killed with SIGKILL at random moments — in the middle of part writes, of a
 * completion transaction, or of nothing — and started again; the run that finally completes emits,
 * per key, the count and a checksum of the event ids in state, which must equal a reference computed
 * from the generator directly: no event lost, none counted twice.
 */
@ExtendWith(PostgresExtension.class)
class PostgresKillRestartTest {
  /**
   * Kills per run: 3 in the build; the long variant is
   * {@code mvn -B verify -pl nip-jdbc -am -Dtest=PostgresKillRestartTest -Dsurefire.failIfNoSpecifiedTests=false -Dnip.kills=30}.
   */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  /** Enough events that every killed run is still reading (each reads at most ~2.5 s at the rate, more under load). */
  static final int EVENTS = Math.max(50_000, KILLS * 16_000);
  static final int RATE = 6_000;
  static final String PIPELINE = "kill-restart";

  /** @param rate events per second, 0 for unthrottled */
  static GeneratorSpec spec(long events, int rate) {
    return GeneratorSpec.builder().events(events).ratePerSecond(rate).keys(50).partitions(2).seed(7).botRatio(0)
        .build();
  }

  /** The job the test kills: args = JDBC URL, user, output file, number of events. */
  public static final class Job {
    public static void main(String[] args) {
      PostgresCheckpointStorage storage = PostgresCheckpointStorage.builder(PIPELINE).jdbcUrl(args[0])
          .user(args[1]).build();
      Pipeline p = Pipeline.named(PIPELINE, PipelineConfig.builder().threads(2).parallelism(2)
          .commitInterval(Duration.ofMillis(50)).checkpointStorage(storage).build());
      p.from(Sources.generator("events", spec(Long.parseLong(args[3]), RATE)))
          .keyBy(GenericEvent::key, Serdes.string())
          .<String>process(new KeyedProcessor<>() {
            @Override
            public void process(String key, GenericEvent e, KeyedContext<String, String> ctx) {
              ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
              ValueState<Long> checksum = ctx.valueState("checksum", Serdes.json(Long.class));
              count.update(count.valueOr(0L) + 1);
              checksum.update(checksum.valueOr(0L) + e.eventId().hashCode());
              ctx.registerEventTimeTimer(Instant.ofEpochMilli(Long.MAX_VALUE));
            }

            @Override
            public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
              ctx.emit(key + " " + ctx.valueState("count", Serdes.json(Long.class)).value() + " "
                  + ctx.valueState("checksum", Serdes.json(Long.class)).value());
            }
          }, Op.named("counter"))
          .to(Sinks.jsonLines("out", Path.of(args[2]), Serdes.string()));
      p.start().awaitTermination();
      storage.close();
      System.exit(0);
    }
  }

  /** Per key, "count checksum" of every event the generator makes, read unthrottled. */
  private static Map<String, String> reference() {
    Map<String, long[]> acc = new HashMap<>();
    SourceContext ctx = new SourceContext("reference", NipClock.system(), new SimpleMeterRegistry());
    for (int partition = 0; partition < 2; partition++) {
      try (SourceReader<GenericEvent> r = Sources.generator("events", spec(EVENTS, 0))
          .createReader(partition, ctx, SourcePosition.NONE)) {
        SourceOutput<GenericEvent> out = new SourceOutput<>() {
          @Override
          public void emit(GenericEvent e, Object key, io.nip.event.Headers h, byte[] raw, long offset, long ts) {
            long[] a = acc.computeIfAbsent(e.key(), k -> new long[2]);
            a[0]++;
            a[1] += e.eventId().hashCode();
          }

          @Override
          public void emit(GenericEvent e, Object key, io.nip.event.Headers h, byte[] raw, SourcePosition p, long ts) {
            emit(e, key, h, raw, 0L, ts);
          }

          @Override
          public void fail(byte[] raw, SourcePosition p, Throwable error) {
            throw new IllegalStateException(error);
          }
        };
        while (r.poll(out, 10_000) != SourceReader.Status.END_OF_INPUT) {
          // unthrottled and bounded: poll to the end
        }
      }
    }
    Map<String, String> ref = new HashMap<>();
    acc.forEach((k, a) -> ref.put(k, a[0] + " " + a[1]));
    return ref;
  }

  private static Process start(PostgresDatabase db, Path output) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // C1 only and the serial collector: a short-lived child starts faster, which is what it spends its time on
    return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), Job.class.getName(),
        db.jdbcUrl(), db.user(), output.toString(), Integer.toString(EVENTS))
        .redirectErrorStream(true).redirectOutput(output.resolveSibling(output.getFileName() + ".log").toFile())
        .start();
  }

  /** Waits until the child completed a checkpoint newer than {@code before}. */
  private static void awaitCheckpointAfter(PostgresCheckpointStorage storage, long before, Process child, Path log)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (storage.latestCompleted().orElse(0) <= before) {
      assertThat(child.isAlive()).as("the job runs until its first checkpoint: %s",
          Files.exists(log) ? Files.readString(log) : "").isTrue();
      assertThat(System.nanoTime()).as("the job completes a checkpoint within 60 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void when_the_process_is_killed_at_random_moments_then_the_completed_run_holds_every_event_once(
      PostgresDatabase db, @TempDir Path dir) throws Exception {
    Random random = new Random();
    try (PostgresCheckpointStorage storage = PostgresCheckpointStorage.builder(PIPELINE).jdbcUrl(db.jdbcUrl())
        .user(db.user()).poolSize(1).build()) {
      // When: the job is killed with SIGKILL at a random moment after each run's first completed
      // checkpoint (a child JVM needs 1 to 5 s to get there, with the machine's load), and restarted
      for (int kill = 0; kill < KILLS; kill++) {
        long before = storage.latestCompleted().orElse(0);
        Path log = dir.resolve("out-" + kill + ".jsonl.log");
        Process p = start(db, dir.resolve("out-" + kill + ".jsonl"));
        try {
          awaitCheckpointAfter(storage, before, p, log);
          Thread.sleep(random.nextInt(1_300));
          assertThat(p.isAlive()).as("the job is still running when killed (kill %d): %s", kill,
              Files.exists(log) ? Files.readString(log) : "").isTrue();
        } finally {
          p.destroyForcibly();
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    }
    Path output = dir.resolve("out-final.jsonl");
    Process last = start(db, output);
    if (!last.waitFor(120, TimeUnit.SECONDS)) {
      last.destroyForcibly();
    }
    assertThat(last.isAlive()).as("the last run completes").isFalse();
    assertThat(last.exitValue()).as("exit code; log: %s", Files.readString(dir.resolve("out-final.jsonl.log")))
        .isZero();

    // Then: per key, the count and checksum of the events in state equal the reference
    Map<String, String> got = new HashMap<>();
    for (String line : Files.readAllLines(output)) {
      String v = Serdes.string().deserialize(line.getBytes(StandardCharsets.UTF_8));
      String text = v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
      int space = text.indexOf(' ');
      got.put(text.substring(0, space), text.substring(space + 1));
    }
    assertThat(got).isEqualTo(reference());
    assertThat(new File(dir.toFile(), "out-0.jsonl").length()).as("a killed run emitted no final counts").isZero();
  }
}
