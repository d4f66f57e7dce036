package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.PipelineConfig;
import io.nip.state.rocksdb.RocksDbStateBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact state after {@code kill -9}, on exercise 1 with RocksDB state: while a producer writes user
 * events at a steady rate, the job runs in a child JVM that is killed with SIGKILL at random moments
 * and started again on the same state directory (its local RocksDB checkpoints plus the changelog's
 * tail); a last, bounded run reads to the end. Every (user, window) of the reference is in the output
 * topic, and every output of a window — a window may be emitted again after a kill, under
 * at-least-once output — carries exactly the reference's numbers.
 */
class AnalyticsKillTest {
  /** Kills in the build; the long variant passes {@code -Dnip.kills=10}. */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  static final int EVENTS = 40_000 + KILLS * 12_000;
  static final int RATE = 12_000;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  /** The job: args = bootstrap servers, input, output, dead-letter topic, state directory, bounded. */
  public static final class Job {
    public static void main(String[] args) {
      try (RocksDbStateBackend rocks = RocksDbStateBackend.builder(Path.of(args[4])).build()) {
        AnalyticsPipeline.Builder b = AnalyticsPipeline.builder(args[0]).inputTopic(args[1]).outputTopic(args[2])
            .deadLetterTopic(args[3]).groupId("kill-job").instanceId("child")
            // a killed member leaves no goodbye: let the group notice within the broker's minimum
            .consumerProperty("session.timeout.ms", 6_000).consumerProperty("heartbeat.interval.ms", 1_000)
            .config(PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(200))
                .stateBackend(rocks).build());
        if (Boolean.parseBoolean(args[5])) {
          b.bounded();
        }
        b.build().start().awaitTermination();
      }
    }
  }

  @Test
  void when_exercise_1_with_rocksdb_state_is_killed_at_random_moments_then_every_window_equals_the_reference(
      @TempDir Path dir) throws Exception {
    String in = "kill-in";
    String out = "kill-out";
    kafka.createTopic(in, 3);
    kafka.createTopic(out, 3);
    kafka.createTopic("kill-dlq", 1);
    List<byte[]> lines = new ArrayList<>();
    UserEventFeed.generate(UserEventFeed.Spec.defaults(EVENTS).withUsers(1_000), (k, v) -> lines.add(v));
    Path state = dir.resolve("state");

    // Given: a producer writing the events at a steady rate
    AtomicBoolean produced = new AtomicBoolean();
    Thread producer = new Thread(() -> {
      try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), in)) {
        long start = System.nanoTime();
        for (int i = 0; i < lines.size(); i++) {
          feed.sendLine(lines.get(i));
          long due = start + i * 1_000_000_000L / RATE;
          long wait = due - System.nanoTime();
          if (wait > 1_000_000) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
        produced.set(true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "producer");
    producer.start();

    // When: the job is killed at random moments while it reads, and restarted each time
    Random random = new Random(Long.getLong("nip.seed", System.nanoTime()));
    for (int kill = 0; kill < KILLS; kill++) {
      Process child = start(dir, in, out, state, false, "run-" + kill);
      Thread.sleep(2_000 + random.nextInt(3_000));
      assertThat(child.isAlive()).as("run %d is still running when killed: %s", kill,
          Files.readString(dir.resolve("run-" + kill + ".log"))).isTrue();
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    producer.join();
    assertThat(produced).isTrue();
    Process last = start(dir, in, out, state, true, "final");
    assertThat(last.waitFor(180, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).as(Files.readString(dir.resolve("final.log"))).isZero();

    // Then: every window is in the output, and every output of it has exactly the reference's numbers
    Map<String, String> expected = reference(lines);
    Map<String, List<String>> got = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(out)) {
      UserWindowSummary s = UserWindowSummary.SERDE.deserialize(r.value());
      got.computeIfAbsent(s.userId() + "@" + s.windowStart(), k -> new ArrayList<>())
          .add(s.eventCount() + " " + s.uniqueEventTypes() + " " + Math.round(s.totalValue() * 100));
    }
    assertThat(got.keySet()).as("windows with output").isEqualTo(expected.keySet());
    got.forEach((window, outputs) -> assertThat(outputs).as("outputs of " + window).containsOnly(expected.get(window)));
    assertThat(Files.list(state).count()).as("state directory used").isPositive();
  }

  private static Process start(Path dir, String in, String out, Path state, boolean bounded, String name)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Job.class.getName(),
        kafka.bootstrapServers(), in, out, "kill-dlq", state.toString(), Boolean.toString(bounded))
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  /** Human users' events by user and 5-minute window: count, distinct types, value sum in cents. */
  private static Map<String, String> reference(List<byte[]> lines) {
    AnalyticsEventSerde serde = new AnalyticsEventSerde();
    Map<String, List<AnalyticsEvent>> groups = new HashMap<>();
    long size = AnalyticsPipeline.WINDOW.toMillis();
    for (byte[] line : lines) {
      AnalyticsEvent e = serde.deserialize(line);
      if (!e.isBot()) {
        long ms = e.eventTime().toEpochMilli();
        groups.computeIfAbsent(e.userId() + "@" + Instant.ofEpochMilli(Math.floorDiv(ms, size) * size),
            k -> new ArrayList<>()).add(e);
      }
    }
    Map<String, String> out = new HashMap<>();
    groups.forEach((k, es) -> out.put(k, es.size() + " " + es.stream().map(AnalyticsEvent::eventType).distinct().count()
        + " " + Math.round(es.stream().mapToDouble(AnalyticsEvent::value).sum() * 100)));
    return out;
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties("reader-" + System.nanoTime()));
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        c.poll(Duration.ofMillis(200)).forEach(all::add);
      }
    }
    return all;
  }
}
