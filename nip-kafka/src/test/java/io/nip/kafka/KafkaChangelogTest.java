package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.kafka.internal.KafkaStateChangelog;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State in Kafka changelogs: a keyed pipeline over a topic keeps its store changes in compacted
 * changelog topics and commits them with the group's offsets in one transaction per checkpoint. A
 * pipeline restarted after a stop — or after {@code kill -9} of its JVM at random moments — restores
 * its state from the changelog and resumes at the committed offsets: every record counted once.
 */
class KafkaChangelogTest {
  static final int PARTITIONS = 3;
  static final int KEYS = 50;
  /** Kills in the build; the long variant passes {@code -Dnip.kills=10} (or more). */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  static void produce(String bootstrap, String topic, int from, int to) {
    Map<String, Object> props = new HashMap<>(kafka.producerProperties());
    props.put("bootstrap.servers", bootstrap);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
      for (int i = from; i < to; i++) {
        String key = "k" + (i % KEYS);
        p.send(new ProducerRecord<>(topic, key, key + ":" + i));
      }
    }
  }

  /** Counts per key and sums a checksum of the record numbers; emits both at the end of input. */
  static final class CountAndChecksum implements KeyedProcessor<String, String, String> {
    private final long sleepEvery;

    CountAndChecksum(long sleepEvery) {
      this.sleepEvery = sleepEvery;
    }

    private long seen;

    @Override
    public void process(String key, String value, KeyedContext<String, String> ctx) {
      ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
      ValueState<Long> checksum = ctx.valueState("checksum", Serdes.json(Long.class));
      count.update(count.valueOr(0L) + 1);
      checksum.update(checksum.valueOr(0L) + Long.parseLong(value.substring(value.indexOf(':') + 1)));
      ctx.registerEventTimeTimer(Instant.ofEpochMilli(Long.MAX_VALUE));
      ctx.emit(key + " " + count.value());
      if (sleepEvery > 0 && ++seen % sleepEvery == 0) {
        try {
          Thread.sleep(1); // slow enough that kills land while the job reads
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
      ctx.emit("final " + key + " " + ctx.valueState("count", Serdes.json(Long.class)).value() + " "
          + ctx.valueState("checksum", Serdes.json(Long.class)).value());
    }
  }

  static Pipeline counting(String bootstrap, String topic, String app, String instance, boolean bounded,
      long sleepEvery, io.nip.sink.Sink<String> out) {
    KafkaSource.Builder<String> b = KafkaSource.builder(topic, Serdes.string()).bootstrapServers(bootstrap)
        .groupId(app).offsetReset(OffsetReset.EARLIEST).instanceId(instance)
        // a killed member leaves no goodbye: the group waits for its session to time out before the
        // restarted one gets the partitions (the broker's minimum, instead of the default 45 s)
        .consumerProperty("session.timeout.ms", 6_000).consumerProperty("heartbeat.interval.ms", 1_000);
    if (bounded) {
      b.bounded();
    }
    Pipeline p = Pipeline.named(app, PipelineConfig.builder().threads(2).parallelism(2)
        .commitInterval(Duration.ofMillis(100)).build());
    p.from(b.build())
        .keyBy(v -> v.substring(0, v.indexOf(':')), Serdes.string())
        .process(new CountAndChecksum(sleepEvery), Op.named("counter"))
        .to(out);
    return p;
  }

  /** Like {@link #counting}, with the state beside the source: the input is partitioned by the key. */
  static Pipeline countingPartitioned(String topic, String app, String instance, boolean bounded,
      io.nip.sink.Sink<String> out) {
    KafkaSource.Builder<String> b = KafkaSource.builder(topic, Serdes.string()).bootstrapServers(kafka.bootstrapServers())
        .groupId(app).offsetReset(OffsetReset.EARLIEST).instanceId(instance)
        .consumerProperty("session.timeout.ms", 6_000).consumerProperty("heartbeat.interval.ms", 1_000);
    if (bounded) {
      b.bounded();
    }
    Pipeline p = Pipeline.named(app + "-" + instance, PipelineConfig.builder().threads(2)
        .commitInterval(Duration.ofMillis(100)).build());
    p.from(b.build())
        .keyByPartitioned(v -> v.substring(0, v.indexOf(':')), Serdes.string())
        .process(new CountAndChecksum(0), Op.named("counter"))
        .to(out);
    return p;
  }

  @Test
  void when_partitions_move_between_two_running_instances_then_state_follows_them_and_counts_each_record_once()
      throws Exception {
    String topic = "changelog-move";
    String app = "changelog-move-app";
    kafka.createTopic(topic, PARTITIONS);
    // Given: instance a reads the first records alone
    produce(kafka.bootstrapServers(), topic, 0, 6_000);
    CollectingSink<String> outA = Sinks.collecting("out");
    PipelineHandle a = countingPartitioned(topic, app, "a", false, outA).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> outA.size() >= 6_000);

    // When: instance b joins and takes partitions from a, more records arrive, then a stops and b
    // takes a's partitions too, and more records arrive again
    CollectingSink<String> outB = Sinks.collecting("out");
    PipelineHandle b = countingPartitioned(topic, app, "b", false, outB).start();
    Thread.sleep(3_000);
    produce(kafka.bootstrapServers(), topic, 6_000, 9_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> outA.size() + outB.size() >= 9_000);
    a.stop();
    assertThat(a.awaitTermination(Duration.ofSeconds(30))).isTrue();
    produce(kafka.bootstrapServers(), topic, 9_000, 12_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> outA.size() + outB.size() >= 12_000);
    b.stop();
    assertThat(b.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(b.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    assertThat(outB.size()).as("b processed records").isPositive();

    // Then: a bounded run over the committed state and offsets holds every record once
    CollectingSink<String> outC = Sinks.collecting("out");
    PipelineHandle c = countingPartitioned(topic, app, "c", true, outC).start();
    assertThat(c.awaitTermination(Duration.ofSeconds(60))).isTrue();
    Map<String, String> finals = new HashMap<>();
    for (String s : outC.values()) {
      if (s.startsWith("final ")) {
        String[] f = s.split(" ");
        finals.put(f[1], f[2] + " " + f[3]);
      }
    }
    assertThat(finals).isEqualTo(reference(12_000));
  }

  static Map<String, String> reference(int records) {
    Map<String, long[]> acc = new HashMap<>();
    for (int i = 0; i < records; i++) {
      long[] a = acc.computeIfAbsent("k" + (i % KEYS), k -> new long[2]);
      a[0]++;
      a[1] += i;
    }
    Map<String, String> out = new HashMap<>();
    acc.forEach((k, a) -> out.put(k, a[0] + " " + a[1]));
    return out;
  }

  @Test
  void when_a_stopped_pipeline_restarts_then_it_restores_its_state_from_the_changelog_and_counts_each_record_once()
      throws Exception {
    String topic = "changelog-restart";
    String app = "changelog-restart-app";
    kafka.createTopic(topic, PARTITIONS);
    // Given: a keyed count that read 6,000 records and was stopped
    produce(kafka.bootstrapServers(), topic, 0, 6_000);
    CollectingSink<String> out1 = Sinks.collecting("out");
    PipelineHandle first = counting(kafka.bootstrapServers(), topic, app, "a", false, 0, out1).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> out1.size() >= 6_000);
    first.stop();
    assertThat(first.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(first.status()).isEqualTo(PipelineHandle.Status.COMPLETED);

    // When: 4,000 more arrive and a fresh pipeline (new JVM state: nothing in memory) reads to the end
    produce(kafka.bootstrapServers(), topic, 6_000, 10_000);
    CollectingSink<String> out2 = Sinks.collecting("out");
    PipelineHandle second = counting(kafka.bootstrapServers(), topic, app, "a", true, 0, out2).start();
    assertThat(second.awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then: the second run saw only the new records, and its final counts hold every record once
    assertThat(out2.values().stream().filter(s -> !s.startsWith("final")).count()).isEqualTo(4_000);
    Map<String, String> finals = new HashMap<>();
    for (String s : out2.values()) {
      if (s.startsWith("final ")) {
        String[] f = s.split(" ");
        finals.put(f[1], f[2] + " " + f[3]);
      }
    }
    assertThat(finals).isEqualTo(reference(10_000));
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      // the changelogs are compacted topics with one partition per keyed task
      String changelog = KafkaStateChangelog.topicOf(app, "counter/count"); // the group is the application id
      ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, changelog);
      Config cfg = admin.describeConfigs(List.of(res)).all().get().get(res);
      assertThat(cfg.get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(admin.describeTopics(List.of(changelog)).allTopicNames().get().get(changelog).partitions()).hasSize(2);
      // and the group's offsets were committed with them, to the end of the input
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(app).partitionsToOffsetAndMetadata().get();
      long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
      assertThat(total).isEqualTo(10_000);
    }
  }

  @Test
  void when_a_bounded_run_completed_and_more_records_arrived_then_the_next_bounded_run_counts_them()
      throws Exception {
    String topic = "changelog-rerun";
    String app = "changelog-rerun-app";
    kafka.createTopic(topic, PARTITIONS);
    // Given: a bounded run that read its input to the end
    produce(kafka.bootstrapServers(), topic, 0, 3_000);
    CollectingSink<String> out1 = Sinks.collecting("out");
    PipelineHandle first = counting(kafka.bootstrapServers(), topic, app, "a", true, 0, out1).start();
    assertThat(first.awaitTermination(Duration.ofSeconds(60))).isTrue();
    assertThat(first.status()).isEqualTo(PipelineHandle.Status.COMPLETED);

    // When: more records arrive and the job runs again (a daily batch over the same topic)
    produce(kafka.bootstrapServers(), topic, 3_000, 5_000);
    CollectingSink<String> out2 = Sinks.collecting("out");
    PipelineHandle second = counting(kafka.bootstrapServers(), topic, app, "a", true, 0, out2).start();
    assertThat(second.awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then: the second run read the new records from the committed offsets, and its counts hold all
    assertThat(out2.values().stream().filter(s -> !s.startsWith("final")).count()).isEqualTo(2_000);
    Map<String, String> finals = new HashMap<>();
    for (String s : out2.values()) {
      if (s.startsWith("final ")) {
        String[] f = s.split(" ");
        finals.put(f[1], f[2] + " " + f[3]);
      }
    }
    assertThat(finals).isEqualTo(reference(5_000));
  }

  /** The job the kill test runs in a child JVM: args = bootstrap servers, topic, app id, output file. */
  public static final class Job {
    public static void main(String[] args) {
      counting(args[0], args[1], args[2], "child", true, 3,
          Sinks.jsonLines("out", Path.of(args[3]), Serdes.string())).start().awaitTermination();
    }
  }

  @Test
  void when_the_process_is_killed_at_random_moments_then_the_run_that_completes_has_exact_state(@TempDir Path dir)
      throws Exception {
    String topic = "changelog-kill";
    String app = "changelog-kill-app";
    int records = 30_000 + KILLS * 6_000;
    kafka.createTopic(topic, PARTITIONS);
    produce(kafka.bootstrapServers(), topic, 0, records);
    Random random = new Random(Long.getLong("nip.seed", System.nanoTime()));
    Path output = dir.resolve("out.jsonl");
    int kills = 0;
    for (int run = 0; ; run++) {
      Files.deleteIfExists(output);
      long committedBefore = committedOffsets(app);
      Process child = startJob(topic, app, output);
      if (kills < KILLS) {
        // once the job processed records (its restore is done) and committed once, kill it at a random
        // moment: every run moves the committed state on, also on a slow machine
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (child.isAlive() && (!Files.exists(output) || Files.size(output) == 0
            || committedOffsets(app) <= committedBefore) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        long delay = random.nextInt(1_500);
        if (!child.waitFor(delay, TimeUnit.MILLISECONDS)) {
          child.destroyForcibly(); // SIGKILL
          child.waitFor(30, TimeUnit.SECONDS);
          kills++;
          continue;
        }
      }
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("run " + run + " completes").isTrue();
      if (System.getProperty("nip.debugLog") != null) {
        Files.copy(output.resolveSibling("out.jsonl.log"), Path.of(System.getProperty("nip.debugLog")),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      assertThat(child.exitValue()).as("exit code of run " + run + ", log: "
          + Files.readString(output.resolveSibling("out.jsonl.log"))).isZero();
      break;
    }
    Map<String, String> finals = new HashMap<>();
    for (String line : Files.readAllLines(output)) {
      String s = line;
      if (s.startsWith("final ")) {
        String[] f = s.split(" ");
        finals.put(f[1], f[2] + " " + f[3]);
      }
    }
    assertThat(kills).isEqualTo(KILLS);
    List<String> lines = Files.readAllLines(output);
    assertThat(finals).as("finals of the last run; its output starts with %s; log: %s",
        lines.subList(0, Math.min(5, lines.size())), Files.readString(output.resolveSibling("out.jsonl.log")))
        .isEqualTo(reference(records));
    // the completing run resumed from committed state instead of reading everything again
    assertThat(lines.stream().filter(l -> !l.startsWith("final")).count()).isLessThan(records);
  }

  /** The sum of the group's committed offsets, 0 before its first commit. */
  private static long committedOffsets(String group) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        kafka.adminProperties())) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
          .filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum();
    }
  }

  private static Process startJob(String topic, String app, Path output) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Job.class.getName(),
        kafka.bootstrapServers(), topic, app, output.toString())
        .redirectErrorStream(true).redirectOutput(output.resolveSibling("out.jsonl.log").toFile())
        .start();
  }
}
