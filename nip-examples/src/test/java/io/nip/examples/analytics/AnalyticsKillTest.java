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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
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

  /**
   * The job: args = bootstrap servers, input, output, dead-letter topic, state directory, bounded,
   * and optionally the instance id (default {@code child}) and {@code keyed} for input keyed by user.
   */
  public static final class Job {
    public static void main(String[] args) {
      try (RocksDbStateBackend rocks = RocksDbStateBackend.builder(Path.of(args[4])).build()) {
        AnalyticsPipeline.Builder b = AnalyticsPipeline.builder(args[0]).inputTopic(args[1]).outputTopic(args[2])
            .deadLetterTopic(args[3]).groupId("kill-job-" + args[1]).instanceId(args.length > 6 ? args[6] : "child")
            // a killed member leaves no goodbye: let the group notice within the broker's minimum
            .consumerProperty("session.timeout.ms", 6_000).consumerProperty("heartbeat.interval.ms", 1_000)
            .config(PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(200))
                .stateBackend(rocks).build());
        if (Boolean.parseBoolean(args[5])) {
          b.bounded();
        }
        if (args.length > 7 && args[7].equals("keyed")) {
          b.inputKeyedByUser(); // window state follows each input partition: several instances may share the group
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
    Path state = dir.resolve("state");

    // Given: a producer writing the events at a steady rate
    Producer producer = new Producer(in, EVENTS, RATE);

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
    List<byte[]> sent = producer.finish(false);
    assertThat(sent).hasSize(EVENTS);
    awaitNoMembers("kill-job-" + in);
    Process last = start(dir, in, out, state, true, "final");
    assertThat(last.waitFor(180, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).as(Files.readString(dir.resolve("final.log"))).isZero();

    // Then: every window is in the output, and every output of it has exactly the reference's numbers
    assertExactWindows(out, sent);
    assertThat(Files.list(state).count()).as("state directory used").isPositive();
  }

  /**
   * Two instances in one group, input keyed by user (window state follows the input partition): one
   * of them at a time is killed while the producer writes; the survivor takes its partitions over,
   * restores their windows from the changelog (it has no local state of them) and goes on; the
   * killed one is started again on its own state directory and gets partitions back.
   */
  @Test
  void when_one_of_two_instances_is_killed_then_the_other_takes_its_partitions_over_with_exact_windows(
      @TempDir Path dir) throws Exception {
    String in = "takeover-in";
    String out = "takeover-out";
    kafka.createTopic(in, 3);
    kafka.createTopic(out, 3);
    kafka.createTopic("takeover-dlq", 1);
    Path[] states = {dir.resolve("state-a"), dir.resolve("state-b")};
    String[] names = {"a", "b"};

    // Given: both instances running, and a producer writing at a steady rate for as long as the kills go on
    Producer producer = new Producer(in, 5_000 + KILLS * 100_000, 4_000);
    Process[] running = new Process[2];
    int[] runs = new int[2];
    for (int i = 0; i < 2; i++) {
      running[i] = startInstance(dir, in, out, states[i], false, names[i], names[i] + "-" + runs[i]++);
    }

    // When: one instance is killed, the other takes over, the killed one comes back; the victim alternates
    Random random = new Random(Long.getLong("nip.seed", System.nanoTime()));
    for (int kill = 0; kill < KILLS; kill++) {
      int victim = kill % 2;
      int survivor = 1 - victim;
      awaitMembersWithPartitions("kill-job-" + in, 2, running);
      Thread.sleep(1_000 + random.nextInt(4_000));
      assertThat(running[victim].isAlive()).as("instance %s runs before kill %d", names[victim], kill).isTrue();
      running[victim].destroyForcibly(); // SIGKILL
      assertThat(running[victim].waitFor(30, TimeUnit.SECONDS)).isTrue();
      // the survivor owns every partition once the group dropped the dead member
      awaitMembersWithPartitions("kill-job-" + in, 1, new Process[] {running[survivor]});
      running[victim] = startInstance(dir, in, out, states[victim], false, names[victim],
          names[victim] + "-" + runs[victim]++);
    }
    List<byte[]> sent = producer.finish(true);
    long takeOvers = 0;
    for (Path log : Files.list(dir).filter(f -> f.getFileName().toString().matches("[ab]-\\d+\\.log")).toList()) {
      takeOvers += takeOvers(log);
    }
    // a take-over restores when the dead member committed since the survivor last restored the task
    assertThat(takeOvers).as("restores of partitions another instance committed").isPositive();
    Thread.sleep(2_000);
    for (Process p : running) {
      assertThat(p.isAlive()).isTrue();
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    // a last, bounded run of one instance reads every partition to the end
    awaitNoMembers("kill-job-" + in);
    Process last = startInstance(dir, in, out, states[0], true, names[0], "final");
    assertThat(last.waitFor(180, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).as(Files.readString(dir.resolve("final.log"))).isZero();

    // Then: every window is in the output, and every output of it has exactly the reference's numbers
    assertExactWindows(out, sent);
  }

  /**
   * Waits until the group has the given number of members, each owning at least one partition (one
   * member: all three).
   */
  private static void awaitMembersWithPartitions(String group, int members, Process[] running) throws Exception {
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (true) {
        ConsumerGroupDescription d;
        try {
          d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
        } catch (ExecutionException e) {
          d = null; // not formed yet
        }
        if (d != null && d.members().size() == members
            && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())
            && d.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum() == 3) {
          return;
        }
        for (Process p : running) {
          assertThat(p.isAlive()).as("instances running while the group forms").isTrue();
        }
        assertThat(System.nanoTime()).as("group %s with %d members owning partitions: %s", group, members, d)
            .isLessThan(deadline);
        Thread.sleep(200);
      }
    }
  }

  /**
   * Waits until the killed members' sessions timed out. A bounded run leaves the partitions that a
   * member it shares the group with owns to that member; a member killed just after it joined is
   * still assigned partitions until its session times out (6 s here).
   */
  private static void awaitNoMembers(String group) throws Exception {
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        try {
          if (admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members().isEmpty()) {
            return;
          }
        } catch (ExecutionException e) {
          return; // no such group: nobody joined
        }
        Thread.sleep(200);
      }
      throw new AssertionError("members of " + group + " still listed after 60 s");
    }
  }

  /** Restores of a task whose state another instance committed, as the job's log reports them. */
  private static long takeOvers(Path log) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains("assigned here again; committed elsewhere")).count();
    }
  }

  /** Writes generated user events to a topic at a steady rate, from its own thread. */
  private static final class Producer {
    private final List<byte[]> lines = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final Thread thread;

    Producer(String topic, int events, int rate) {
      UserEventFeed.generate(UserEventFeed.Spec.defaults(events).withUsers(1_000), (k, v) -> lines.add(v));
      thread = new Thread(() -> {
        try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), topic)) {
          long start = System.nanoTime();
          for (int i = 0; i < lines.size() && !stop.get(); i++) {
            feed.sendLine(lines.get(i));
            sent.set(i + 1);
            long wait = start + i * 1_000_000_000L / rate - System.nanoTime();
            if (wait > 1_000_000) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "producer");
      thread.start();
    }

    /**
     * @param early stop sending now, else once everything is sent
     * @return what was sent, flushed
     */
    List<byte[]> finish(boolean early) throws InterruptedException {
      stop.set(early);
      thread.join();
      return lines.subList(0, sent.get());
    }
  }

  private static void assertExactWindows(String out, List<byte[]> sent) {
    Map<String, String> expected = reference(sent);
    Map<String, List<String>> got = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(out)) {
      UserWindowSummary s = UserWindowSummary.SERDE.deserialize(r.value());
      got.computeIfAbsent(s.userId() + "@" + s.windowStart(), k -> new ArrayList<>())
          .add(s.eventCount() + " " + s.uniqueEventTypes() + " " + Math.round(s.totalValue() * 100));
    }
    assertThat(got.keySet()).as("windows with output").isEqualTo(expected.keySet());
    got.forEach((window, outputs) -> assertThat(outputs).as("outputs of " + window).containsOnly(expected.get(window)));
  }

  private static Process start(Path dir, String in, String out, Path state, boolean bounded, String name)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Job.class.getName(),
        kafka.bootstrapServers(), in, out, "kill-dlq", state.toString(), Boolean.toString(bounded))
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  private static Process startInstance(Path dir, String in, String out, Path state, boolean bounded, String instance,
      String name) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx512m", "-Dorg.slf4j.simpleLogger.log.io.nip.runtime.internal=info",
        "-cp", System.getProperty("java.class.path"), Job.class.getName(), kafka.bootstrapServers(), in, out,
        "takeover-dlq", state.toString(), Boolean.toString(bounded), instance, "keyed")
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
