package io.nip.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.ChildJvm;
import io.nip.KillHarness;
import io.nip.backpressure.RateLimiter;
import io.nip.kinesis.local.KinesisLocal;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.state.CheckpointStorage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart after {@code kill -9} on Kinesis: a job in a child JVM reads a stream of 3 shards with a
 * local checkpoint storage (which holds the shards' sequence numbers and the job's state), keeps per
 * key a count and the sum of the record numbers it read, and is killed with SIGKILL at random
 * moments and started again ({@link KillHarness}). The run that finally completes emits per key what
 * its state holds, which must equal the reference computed from the records written: every record
 * reached the state, none was counted twice (the state and the positions of a checkpoint agree, so a
 * restart replays exactly what came after the checkpoint).
 */
class KinesisKillTest {
  /**
   * SIGKILLs per test: 3 in the build; the long variant is
   * {@code mvn -B verify -pl nip-kinesis -am -Dtest=KinesisKillTest -Dsurefire.failIfNoSpecifiedTests=false -Dnip.kills=30}.
   */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  /** Records read per second by the job: a killed run reads at most a few seconds' worth. */
  static final int RATE = 500;
  /**
   * Enough records that every killed run is still reading when it is killed (kinesis-local takes
   * 300 to 400 records a second in PutRecords: the 30-kill variant writes for about a minute).
   */
  static final int RECORDS = Math.max(4_000, KILLS * 800);
  static final int KEYS = 50;
  static final String STREAM = "kill";

  private static KinesisLocal kinesis;

  @BeforeAll
  static void startServer() throws Exception {
    kinesis = KinesisLocal.start();
    kinesis.createStream(STREAM, 3);
    KinesisSourceSinkTest.write(kinesis, STREAM, 0, RECORDS, KEYS);
  }

  @AfterAll
  static void stopServer() {
    if (kinesis != null) {
      kinesis.close();
    }
  }

  /** The job the test kills: args = endpoint, checkpoint directory, output file. */
  public static final class Job {
    public static void main(String[] args) {
      Pipeline p = Pipeline.named("kinesis-kill", PipelineConfig.builder().threads(2)
          .commitInterval(Duration.ofMillis(50)).checkpointStorage(CheckpointStorage.localDirectory(Path.of(args[1])))
          .build());
      p.from(KinesisSource.builder(STREAM, Serdes.string()).region(KinesisLocal.REGION).endpoint(URI.create(args[0]))
              .credentials(KinesisLocal.CREDENTIALS).idleInterval(Duration.ofMillis(50)).maxRecordsPerCall(500)
              .bounded().build())
          .rateLimit(new RateLimiter(RATE, 50), Op.named("rate"))
          .keyBy(v -> v.substring(0, v.indexOf(':')), Serdes.string())
          .process(KillHarness.<String>counter(v -> Long.parseLong(v.substring(v.indexOf(':') + 1))),
              Op.named("counter"))
          .to(Sinks.jsonLines("out", Path.of(args[2]), Serdes.string()));
      p.start().awaitTermination();
      System.exit(0);
    }
  }

  private static Map<String, String> reference() {
    Map<String, long[]> acc = new HashMap<>();
    for (int i = 0; i < RECORDS; i++) {
      long[] a = acc.computeIfAbsent("k" + (i % KEYS), k -> new long[2]);
      a[0]++;
      a[1] += i;
    }
    Map<String, String> ref = new HashMap<>();
    acc.forEach((k, a) -> ref.put(k, a[0] + " " + a[1]));
    return ref;
  }

  private static Process start(Path checkpoints, Path output) throws IOException {
    return ChildJvm.start(Job.class, output.resolveSibling(output.getFileName() + ".log"),
        kinesis.endpoint().toString(), checkpoints.toString(), output.toString());
  }

  @Test
  void a_job_killed_at_random_moments_resumes_from_its_checkpoints_and_counts_every_record_once(@TempDir Path dir)
      throws Exception {
    // When: the job is killed with SIGKILL at random moments once it checkpoints, restarted each time, then completes
    Map<String, String> got = KillHarness.killThenComplete(dir, KILLS, 1_300, 180, KinesisKillTest::start);

    // Then: per key, the count and the sum of the record numbers in state equal the reference
    assertThat(got).isEqualTo(reference());
    assertThat(new File(dir.toFile(), "out-0.jsonl").length()).as("a killed run emitted no final counts").isZero();
  }
}
