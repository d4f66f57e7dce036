package io.nip.examples.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.ChildJvm;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.PipelineConfig;
import io.nip.state.rocksdb.RocksDbStateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Exact alerts after {@code kill -9}: while a producer writes the generated lines at a steady
 * rate, the fraud job (RocksDB state) runs in a child JVM that is killed with SIGKILL at random
 * moments and started again on the same state directory; a last, bounded run reads to the end. The
 * partial matches and per-user histories survive the kills (else alerts would be missing or
 * different), the replayed records produce some alerts again, and the table, whose inserts are
 * idempotent, holds exactly the reference's alerts.
 */
@ExtendWith(PostgresExtension.class)
class FraudKillTest {
  /** Kills in the build; the long variant passes {@code -Dnip.kills=10}. */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  static final int RATE = 1_000;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  /** The job: args = bootstrap servers, input, output, state directory, bounded, JDBC URL, user. */
  public static final class Job {
    public static void main(String[] args) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setUrl(args[5]);
      ds.setUser(args[6]);
      try (RocksDbStateBackend rocks = RocksDbStateBackend.builder(Path.of(args[3])).build()) {
        FraudPipeline.Builder b = FraudPipeline.builder(args[0]).inputTopic(args[1]).outputTopic(args[2])
            .deadLetterTopic(args[1] + "-dlq").groupId("kill-" + args[1]).instanceId("child")
            .alertTable(AlertTable.of(ds, AlertTable.DEFAULT_TABLE))
            // a killed member leaves no goodbye: let the group notice within the broker's minimum
            .consumerProperty("session.timeout.ms", 6_000).consumerProperty("heartbeat.interval.ms", 1_000)
            .config(PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(200))
                .stateBackend(rocks).build());
        if (Boolean.parseBoolean(args[4])) {
          b.bounded();
        }
        b.build().start().awaitTermination();
      }
    }
  }

  @Test
  void when_the_job_is_killed_at_random_moments_then_the_alerts_in_the_table_equal_the_reference(
      PostgresDatabase db, @TempDir Path dir) throws Exception {
    FraudData data = FraudData.generate(11, 500, 40);
    kafka.createTopic("kill-fraud-in", 3);
    kafka.createTopic("kill-fraud-out", 3);
    kafka.createTopic("kill-fraud-in-dlq", 1);
    AlertTable.of(db.dataSource(), AlertTable.DEFAULT_TABLE).createIfMissing();
    Path state = dir.resolve("state");

    // Given: a producer writing the lines at a steady rate
    AtomicInteger sent = new AtomicInteger();
    Thread producer = new Thread(() -> produce(data, sent), "producer");
    producer.start();

    // When: the job is killed at random moments while it reads, and restarted each time
    Random random = new Random(Long.getLong("nip.seed", System.nanoTime()));
    for (int kill = 0; kill < KILLS; kill++) {
      Process child = start(dir, db, state, false, "run-" + kill);
      Thread.sleep(3_000 + random.nextInt(3_000));
      assertThat(child.isAlive()).as("run %d is still running when killed: %s", kill,
          Files.readString(dir.resolve("run-" + kill + ".log"))).isTrue();
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(sent.get()).as("lines sent while the kills went on").isLessThan(data.lines.size());
    producer.join();
    Thread.sleep(7_000); // the killed member's session times out, so the last run gets every partition
    Process last = start(dir, db, state, true, "final");
    assertThat(last.waitFor(180, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).as(Files.readString(dir.resolve("final.log"))).isZero();

    // Then: the table holds exactly the reference's alerts, once each; the topic (at-least-once)
    // the same alerts, some of them more than once
    List<String> expected = FraudReference.alerts(data.payments);
    assertThat(FraudStores.rows(db.dataSource(), AlertTable.DEFAULT_TABLE)).containsExactlyInAnyOrderElementsOf(expected);
    java.util.Map<String, Boolean> labels = new java.util.HashMap<>();
    data.payments.forEach(p -> labels.put(p.id(), p.label()));
    assertThat(FraudStores.topic(kafka, "kill-fraud-out").stream().map(a -> FraudStores.render(a, labels))
        .collect(java.util.stream.Collectors.toSet())).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(Files.list(state).count()).as("state directory used").isPositive();
  }

  private static void produce(FraudData data, AtomicInteger sent) {
    try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), "kill-fraud-in")) {
      long start = System.nanoTime();
      List<FraudData.Line> lines = data.lines;
      for (int i = 0; i < lines.size(); i++) {
        feed.sendLine(lines.get(i).bytes());
        sent.set(i + 1);
        long wait = start + i * 1_000_000_000L / RATE - System.nanoTime();
        if (wait > 1_000_000) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Process start(Path dir, PostgresDatabase db, Path state, boolean bounded, String name)
      throws java.io.IOException {
    return ChildJvm.start(Job.class, dir.resolve(name + ".log"), kafka.bootstrapServers(), "kill-fraud-in",
        "kill-fraud-out", state.toString(), Boolean.toString(bounded), db.jdbcUrl(), db.user());
  }
}
