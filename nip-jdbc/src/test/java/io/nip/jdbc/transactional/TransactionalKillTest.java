package io.nip.jdbc.transactional;

import static io.nip.jdbc.transactional.TxFixtures.count;
import static io.nip.jdbc.transactional.TxFixtures.disagreement;
import static io.nip.jdbc.transactional.TxFixtures.execute;
import static io.nip.jdbc.transactional.TxFixtures.produce;
import static io.nip.jdbc.transactional.TxFixtures.readCommitted;
import static io.nip.jdbc.transactional.TxFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.jdbc.transactional.internal.ProcessorHooks;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across {@code kill -9}: the processor runs in a child JVM that is killed with SIGKILL
 * in each gap of the commit protocol in turn — an event committed in PostgreSQL whose records are
 * not committed in Kafka (the relay held before its commit), a Kafka transaction with records sent
 * but not committed, a Kafka commit whose outbox rows are not deleted yet — and at a random moment,
 * then restarted. A last run reads to the end. Then every input event has exactly one database row
 * and exactly one output record ({@code read_committed}), with the same value, and nothing else
 * exists on either side.
 */
@ExtendWith(PostgresExtension.class)
class TransactionalKillTest {
  /**
   * Kills: 3 in the build (one per protocol gap); the long variant is
   * {@code mvn -B verify -pl nip-jdbc -am -Dtest=TransactionalKillTest -Dsurefire.failIfNoSpecifiedTests=false -Dnip.kills=30}.
   */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  static final int EVENTS = Math.max(1_500, KILLS * 300);
  static final String NAME = "kill";
  static final String IN = "kill-in";
  static final String OUT = "kill-out";
  /** The gaps the kills land in, in turn; "anytime" is a random moment. */
  static final String[] WINDOWS = {"db-committed", "kafka-open", "kafka-committed", "anytime"};
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    kafka.createTopic(IN, 3);
    kafka.createTopic(OUT, 3);
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  /**
   * The job the test kills. Args: bootstrap servers, JDBC URL, user, window ("none" for the last
   * run), events to commit in this run before the window opens. When the window opens it prints
   * {@code WINDOW <window>} and holds there (the relay too, for "db-committed") until killed.
   */
  public static final class Job {
    static volatile boolean holdRelay;

    public static void main(String[] args) throws Exception {
      String window = args[3];
      int armAfter = Integer.parseInt(args[4]);
      AtomicInteger committed = new AtomicInteger();
      AtomicInteger relayed = new AtomicInteger();
      ProcessorHooks hooks = new ProcessorHooks() {
        @Override
        public void afterDatabaseCommit(String topic, int partition, long offset) {
          if (committed.incrementAndGet() > armAfter && window.equals("db-committed")) {
            holdRelay = true;
            holdUntilKilled("db-committed " + topic + "-" + partition + "@" + offset);
          }
        }

        @Override
        public void beforeKafkaCommit(long firstSeq, long lastSeq) {
          if (holdRelay) {
            holdUntilKilled(null);
          }
          // armed by the relay's own progress in this run: the database side may have committed
          // every event in an earlier run, so this run's database commits may never pass armAfter
          if (relayed.get() >= armAfter % 3 && window.equals("kafka-open")) {
            holdUntilKilled("kafka-open " + firstSeq + ".." + lastSeq);
          }
        }

        @Override
        public void afterKafkaCommit(long lastSeq) {
          if (relayed.incrementAndGet() > armAfter % 3 && window.equals("kafka-committed")) {
            holdUntilKilled("kafka-committed " + lastSeq);
          }
        }
      };
      TransactionalProcessor<String> p = TransactionalProcessor.builder(NAME, Serdes.string()).kafka(args[0])
          .source(IN).jdbcUrl(args[1]).user(args[2]).relayBatchSize(25).bounded().hooks(hooks).build();
      p.transactional((event, tx) -> {
        String result = Integer.toString(Integer.parseInt(event.value()) * 10);
        tx.database().update("INSERT INTO results (id, result) VALUES (?, ?)", event.key(), result);
        tx.kafka().emit(OUT, event.key(), result);
      });
      System.out.println("STARTED");
      p.start();
      boolean ended = p.awaitTermination(Duration.ofMinutes(5));
      p.close();
      System.out.println(ended ? "DONE" : "TIMEOUT");
      System.exit(ended ? 0 : 2);
    }

    static void holdUntilKilled(String window) {
      if (window != null) {
        System.out.println("WINDOW " + window);
        System.out.flush();
      }
      try {
        Thread.sleep(Duration.ofMinutes(2).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.out.println("NOT KILLED");
      Runtime.getRuntime().halt(3);
    }
  }

  private static Process start(PostgresDatabase db, String window, int armAfter, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), Job.class.getName(),
        kafka.bootstrapServers(), db.jdbcUrl(), db.user(), window, Integer.toString(armAfter))
        .redirectError(log.toFile()).start();
  }

  /** The child's stdout lines, read on a thread of their own. */
  private static BlockingQueue<String> lines(Process p) {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          q.add(line);
        }
      } catch (IOException ignored) {
        // the child died
      }
      q.add("EOF");
    });
    t.setDaemon(true);
    t.start();
    return q;
  }

  /** The relay position committed to Kafka (read_committed), 0 when none. */
  private static long relayPosition() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    TopicPartition tp = new TopicPartition(NAME + ".nip-relay-position", 0);
    long last = 0;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      if (c.partitionsFor(tp.topic()).isEmpty()) {
        return 0;
      }
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      while (c.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          last = ByteBuffer.wrap(r.value()).getLong();
        }
      }
    }
    return last;
  }

  /** What the kill left: outbox rows not yet in Kafka, and rows in Kafka but not deleted. */
  private static String evidence(DataSource ds, String window) throws Exception {
    long relayed = relayPosition();
    long pending = count(ds, "SELECT count(*) FROM nip_tx_outbox WHERE seq > " + relayed);
    long undeleted = count(ds, "SELECT count(*) FROM nip_tx_outbox WHERE seq <= " + relayed);
    if (window.equals("db-committed") || window.equals("kafka-open")) {
      assertThat(pending).as("after a kill in window %s, events are committed in PostgreSQL and not in Kafka", window)
          .isPositive();
    }
    if (window.equals("kafka-committed")) {
      assertThat(undeleted).as("after a kill in window %s, relayed rows are still in the outbox", window).isPositive();
    }
    return window + ": relay position " + relayed + ", outbox rows not in Kafka " + pending + ", in Kafka but not"
        + " deleted " + undeleted + ", rows " + count(ds, "SELECT count(*) FROM results");
  }

  @Test
  void when_the_processor_is_killed_between_and_around_its_two_commits_then_rows_and_records_agree_exactly_once(
      PostgresDatabase db, @TempDir Path dir) throws Exception {
    // Given: the input, and a results table without a unique key (doubles would show)
    execute(db.dataSource(), "CREATE TABLE results (id TEXT, result TEXT)");
    produce(kafka.bootstrapServers(), IN, 0, EVENTS);
    Random random = new Random();
    List<String> evidence = new ArrayList<>();

    // When: each run is killed with SIGKILL in the next gap of the protocol, a few events into it
    for (int kill = 0; kill < KILLS; kill++) {
      String window = WINDOWS[kill % WINDOWS.length];
      Path log = dir.resolve("run-" + kill + ".log");
      Process p = start(db, window, random.nextInt(EVENTS / (KILLS + 2)), log);
      try {
        BlockingQueue<String> out = lines(p);
        if (window.equals("anytime")) {
          // a random moment once the run makes progress (a child JVM needs seconds to get there)
          long before = count(db.dataSource(), "SELECT count(*) FROM results");
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
          while (count(db.dataSource(), "SELECT count(*) FROM results") <= before) {
            assertThat(p.isAlive()).as("run %d is alive; log: %s", kill, Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("run %d makes progress within 90 s", kill).isLessThan(deadline);
            Thread.sleep(20);
          }
          Thread.sleep(random.nextInt(1_500));
        } else {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
          String line = "";
          while (!line.startsWith("WINDOW")) {
            line = out.poll(1, TimeUnit.SECONDS);
            assertThat(line).as("run %d reaches window %s within 90 s; log: %s", kill, window, Files.readString(log))
                .isNotEqualTo("EOF");
            assertThat(System.nanoTime()).as("run %d reaches window %s within 90 s", kill, window).isLessThan(deadline);
            line = line == null ? "" : line;
          }
        }
        assertThat(p.isAlive()).as("run %d is alive when killed; log: %s", kill, Files.readString(log)).isTrue();
      } finally {
        p.destroyForcibly();
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      evidence.add(evidence(db.dataSource(), window));
    }

    // and a last run reads to the end
    Path log = dir.resolve("run-final.log");
    Process last = start(db, "none", 0, log);
    if (!last.waitFor(180, TimeUnit.SECONDS)) {
      last.destroyForcibly();
    }
    assertThat(last.isAlive()).as("the last run completes").isFalse();
    assertThat(last.exitValue()).as("exit code; log: %s", Files.readString(log)).isZero();

    System.out.println("TransactionalKillTest kills:\n  " + String.join("\n  ", evidence));
    // Then: every event has one row and one committed record with the same result, nothing else exists
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < EVENTS; i++) {
      expected.put("order-" + i, Integer.toString(i * 10));
    }
    String problems = disagreement(expected, rows(db.dataSource(), "SELECT id, result FROM results"),
        readCommitted(kafka.bootstrapServers(), OUT));
    assertThat(problems).as("kills: %s", evidence).isEmpty();
    assertThat(count(db.dataSource(), "SELECT count(*) FROM nip_tx_outbox")).as("outbox drained").isZero();
    assertThat(relayPosition()).as("one outbox row per event, each relayed once").isEqualTo(EVENTS);
  }
}
