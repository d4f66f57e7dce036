package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once Kafka to Kafka: a job whose results go to Kafka topics in the checkpoints'
 * transactions, killed with SIGKILL at random moments and restarted, leaves every result exactly once
 * in its output topics (read {@code read_committed}); set-ups that cannot be exactly-once are refused.
 */
class KafkaExactlyOnceTest {
  static final int PARTITIONS = 3;
  static final int KEYS = 40;
  /** Kills in the build; the long variant passes {@code -Dnip.kills=30}. */
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

  static void produce(String topic, int from, int to) {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = from; i < to; i++) {
        String key = "k" + (i % KEYS);
        p.send(new ProducerRecord<>(topic, key, key + ":" + i));
      }
    }
  }

  /** Counts per key; emits "key count" at every record and "final key count checksum" at the end of input. */
  static final class Counter implements KeyedProcessor<String, String, String> {
    private long seen;

    @Override
    public void process(String key, String value, KeyedContext<String, String> ctx) {
      ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
      ValueState<Long> checksum = ctx.valueState("checksum", Serdes.json(Long.class));
      count.update(count.valueOr(0L) + 1);
      checksum.update(checksum.valueOr(0L) + Long.parseLong(value.substring(value.indexOf(':') + 1)));
      ctx.registerEventTimeTimer(Instant.ofEpochMilli(Long.MAX_VALUE));
      ctx.emit(key + " " + count.value());
      if (++seen % 4 == 0) {
        try {
          Thread.sleep(1); // slow enough that kills land while the job reads and commits
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

  /**
   * The job: every input record copied to {@code <topic>-copy} (no state), and a keyed count to
   * {@code <topic>-counts}; both under exactly-once.
   */
  static Pipeline job(String servers, String topic, String app, boolean bounded) {
    return job(servers, topic, app, "child", bounded, false);
  }

  /**
   * @param instance the instance id (distinct per running instance)
   * @param partitioned state beside the source ({@code keyByPartitioned}: the input is keyed by the
   *     pipeline's key), so that instances of one group can share the partitions
   */
  static Pipeline job(String servers, String topic, String app, String instance, boolean bounded, boolean partitioned) {
    KafkaSource.Builder<String> b = KafkaSource.builder(topic, Serdes.string()).bootstrapServers(servers)
        .groupId(app).offsetReset(OffsetReset.EARLIEST).instanceId(instance)
        .consumerProperty("session.timeout.ms", 6_000).consumerProperty("heartbeat.interval.ms", 1_000);
    if (bounded) {
      b.bounded();
    }
    Pipeline p = Pipeline.named(partitioned ? app + "-" + instance : app, PipelineConfig.builder().threads(2).parallelism(2)
        .guarantee(Guarantee.valueOf(System.getProperty("nip.guarantee", "EXACTLY_ONCE"))).build());
    Stream<String> in = p.from(b.build());
    in.map(v -> "copy " + v, Op.named("copy"))
        .to(KafkaSink.builder(topic + "-copy", Serdes.string()).bootstrapServers(servers).build());
    (partitioned ? in.keyByPartitioned(v -> v.substring(0, v.indexOf(':')), Serdes.string())
        : in.keyBy(v -> v.substring(0, v.indexOf(':')), Serdes.string()))
        .process(new Counter(), Op.named("counter"))
        .to(KafkaSink.builder(topic + "-counts", Serdes.string()).bootstrapServers(servers).build());
    return p;
  }

  /**
   * The job the kill tests run in a child JVM: args = bootstrap servers, topic, app id, and
   * optionally instance id, "bounded" or "unbounded", "partitioned" or "keyBy".
   */
  public static final class Job {
    public static void main(String[] args) {
      if (args.length == 3) {
        job(args[0], args[1], args[2], true).start().awaitTermination();
      } else {
        job(args[0], args[1], args[2], args[3], args[4].equals("bounded"), args[5].equals("partitioned"))
            .start().awaitTermination();
      }
    }
  }

  @Test
  void when_the_job_is_killed_at_random_moments_then_its_output_holds_every_result_exactly_once(@TempDir Path dir)
      throws Exception {
    String topic = "eos-kill";
    String app = "eos-kill-app";
    int records = Integer.getInteger("nip.records", 20_000 + KILLS * 3_000);
    kafka.createTopic(topic, PARTITIONS);
    kafka.createTopic(topic + "-copy", PARTITIONS);
    kafka.createTopic(topic + "-counts", PARTITIONS);
    produce(topic, 0, records);
    long seed = Long.getLong("nip.seed", System.nanoTime());
    Random random = new Random(seed);
    Path log = dir.resolve("job.log");
    int kills = 0;
    for (int run = 0; ; run++) {
      long committedBefore = committedOffsets(app);
      Process child = startJob(topic, app, log);
      if (kills < KILLS) {
        // once the job committed (its restore is done), kill it at a random moment: with 100 ms
        // checkpoints kills land while it reads, while tasks take their parts and while it commits
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (child.isAlive() && committedOffsets(app) <= committedBefore && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        if (!child.waitFor(random.nextInt(1_200), TimeUnit.MILLISECONDS)) {
          child.destroyForcibly(); // SIGKILL
          child.waitFor(30, TimeUnit.SECONDS);
          kills++;
          continue;
        }
      }
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("run " + run + " completes").isTrue();
      assertThat(child.exitValue()).as("exit code of run " + run + ", log: " + Files.readString(log)).isZero();
      break;
    }
    assertThat(kills).isEqualTo(KILLS);

    assertExactlyOnce(topic, records, seed);
  }

  /**
   * Reads the job's outputs {@code read_committed}: every input record copied exactly once; per key
   * every count from 1 to its total exactly once, and one final with the reference count and checksum.
   */
  static void assertExactlyOnce(String topic, int records, long seed) {
    // the copies: each input record exactly once
    Map<String, Integer> copies = new HashMap<>();
    for (String v : readCommitted(topic + "-copy")) {
      copies.merge(v, 1, Integer::sum);
    }
    List<String> lostCopies = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      String key = "k" + (i % KEYS);
      String copy = "copy " + key + ":" + i;
      Integer times = copies.get(copy);
      if (times == null) {
        lostCopies.add(key + ":" + i);
      } else if (times == 1) {
        copies.remove(copy);
      } else {
        copies.put(copy, times - 1);
      }
    }
    assertThat(lostCopies).as("copies lost (seed %d)", seed).isEmpty();
    assertThat(copies).as("copies doubled or unknown (seed %d)", seed).isEmpty();

    // the counts: per key every count from 1 to its total exactly once, and one final with the reference
    Map<String, List<Long>> counts = new TreeMap<>();
    Map<String, String> finals = new TreeMap<>();
    for (String v : readCommitted(topic + "-counts")) {
      String[] f = v.split(" ");
      if (f[0].equals("final")) {
        assertThat(finals.put(f[1], f[2] + " " + f[3])).as("one final of %s (seed %d)", f[1], seed).isNull();
      } else {
        counts.computeIfAbsent(f[0], k -> new ArrayList<>()).add(Long.parseLong(f[1]));
      }
    }
    Map<String, String> reference = new TreeMap<>();
    long[] n = new long[KEYS];
    long[] sum = new long[KEYS];
    for (int i = 0; i < records; i++) {
      n[i % KEYS]++;
      sum[i % KEYS] += i;
    }
    for (int k = 0; k < KEYS; k++) {
      reference.put("k" + k, n[k] + " " + sum[k]);
      List<Long> expected = new ArrayList<>();
      for (long c = 1; c <= n[k]; c++) {
        expected.add(c);
      }
      List<Long> got = new ArrayList<>(counts.getOrDefault("k" + k, List.of()));
      got.sort(null);
      assertThat(got).as("the counts of k%d, each once (seed %d)", k, seed).isEqualTo(expected);
    }
    assertThat(finals).as("finals (seed %d)", seed).isEqualTo(reference);
  }

  @Test
  void when_a_member_is_paused_until_the_group_moves_on_then_its_late_commit_is_fenced_and_nothing_is_doubled(
      @TempDir Path dir) throws Exception {
    String topic = "eos-zombie";
    String app = "eos-zombie-app";
    kafka.createTopic(topic, 4);
    kafka.createTopic(topic + "-copy", 4);
    kafka.createTopic(topic + "-counts", 4);
    produce(topic, 0, 15_000);
    Process a = startJob(dir.resolve("a.log"), topic, app, "a", "unbounded", "partitioned");
    Process b = startJob(dir.resolve("b.log"), topic, app, "b", "unbounded", "partitioned");
    try {
      awaitMembers(app, 2);
      long committed = committedOffsets(app);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (committedOffsets(app) <= committed && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // a zombie: the member stops (a long GC pause, a frozen VM) with results not committed yet; the
      // group gives its partitions to the other one, which re-reads them from the committed offsets
      assertThat(a.isAlive()).as("member a runs; log: %s", Files.readString(dir.resolve("a.log"))).isTrue();
      signal("STOP", a);
      produce(topic, 15_000, 25_000);
      awaitMembers(app, 1);
      long moved = committedOffsets(app);
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (committedOffsets(app) <= moved && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // it wakes up and tries to commit what it did before the pause: its generation is stale
      signal("CONT", a);
      produce(topic, 25_000, 30_000);
      awaitMembers(app, 2);
      Thread.sleep(1_000);
    } finally {
      a.destroyForcibly();
      b.destroyForcibly();
      a.waitFor(30, TimeUnit.SECONDS);
      b.waitFor(30, TimeUnit.SECONDS);
    }
    awaitMembers(app, 0);
    Process last = startJob(dir.resolve("last.log"), topic, app, "c", "bounded", "partitioned");
    assertThat(last.waitFor(120, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).as("exit code, log: " + Files.readString(dir.resolve("last.log"))).isZero();
    if (System.getProperty("nip.keepLogs") != null) {
      for (String f : List.of("a.log", "b.log", "last.log")) {
        Files.copy(dir.resolve(f), Path.of(System.getProperty("nip.keepLogs"), f),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    assertExactlyOnce(topic, 30_000, 0);
  }

  @Test
  void when_a_keyBy_job_is_frozen_past_its_session_and_wakes_then_it_stops_or_commits_nothing_twice(@TempDir Path dir)
      throws Exception {
    String topic = "eos-frozen";
    String app = "eos-frozen-app";
    kafka.createTopic(topic, PARTITIONS);
    kafka.createTopic(topic + "-copy", PARTITIONS);
    kafka.createTopic(topic + "-counts", PARTITIONS);
    produce(topic, 0, 20_000);
    Process x = startJob(dir.resolve("x.log"), topic, app, "x", "unbounded", "keyBy");
    try {
      awaitMembers(app, 1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (committedOffsets(app) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // frozen with records read and not committed: the group drops it; when it wakes it gets its
      // partitions back at the committed offsets, while its keyed state already counts what follows
      signal("STOP", x);
      awaitMembers(app, 0);
      produce(topic, 20_000, 24_000);
      signal("CONT", x);
      x.waitFor(30, TimeUnit.SECONDS);
    } finally {
      x.destroyForcibly();
      x.waitFor(30, TimeUnit.SECONDS);
    }
    if (System.getProperty("nip.keepLogs") != null) {
      Files.copy(dir.resolve("x.log"), Path.of(System.getProperty("nip.keepLogs"), "x.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    awaitMembers(app, 0);
    Process last = startJob(dir.resolve("last.log"), topic, app, "x", "bounded", "keyBy");
    assertThat(last.waitFor(120, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).as("exit code, log: " + Files.readString(dir.resolve("last.log"))).isZero();
    assertExactlyOnce(topic, 24_000, 0);
  }

  private static void signal(String signal, Process p) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor())
        .as("kill -" + signal).isZero();
  }

  /** Waits until the group has that many members, each with partitions (none: every member left). */
  private static void awaitMembers(String group, int members) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      while (true) {
        org.apache.kafka.clients.admin.ConsumerGroupDescription d;
        try {
          d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
        } catch (java.util.concurrent.ExecutionException e) {
          d = null; // not created yet
        }
        if (d != null && d.members().size() == members
            && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
          return;
        }
        assertThat(System.nanoTime()).as("group %s reaches %d members: %s", group, members, d).isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }

  @Test
  void a_pipeline_that_cannot_be_exactly_once_is_refused_when_it_starts(@TempDir Path dir) {
    PipelineConfig eos = PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE).build();
    // not a source that commits its positions with the output
    Pipeline generated = Pipeline.named("eos-generated", eos);
    generated.from(Sources.collection("gen", List.of("a", "b")))
        .to(KafkaSink.builder("eos-refused", Serdes.string()).bootstrapServers(kafka.bootstrapServers()).build());
    assertThatThrownBy(generated::start).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("guarantee").hasMessageContaining("EXACTLY_ONCE").hasMessageContaining("gen");

    // positions in a checkpoint storage: not in the output's transaction
    kafka.createTopic("eos-refused-in", 1);
    Pipeline stored = Pipeline.named("eos-stored", eos.toBuilder()
        .checkpointStorage(CheckpointStorage.localDirectory(dir)).build());
    stored.from(KafkaSource.builder("eos-refused-in", Serdes.string()).bootstrapServers(kafka.bootstrapServers())
            .groupId("eos-stored").bounded().build())
        .to(KafkaSink.builder("eos-refused", Serdes.string()).bootstrapServers(kafka.bootstrapServers()).build());
    assertThatThrownBy(stored::start).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("checkpoint storage");

    // a Kafka sink on another cluster cannot write in the source's transaction
    Pipeline elsewhere = Pipeline.named("eos-elsewhere", eos);
    elsewhere.from(KafkaSource.builder("eos-refused-in", Serdes.string()).bootstrapServers(kafka.bootstrapServers())
            .groupId("eos-elsewhere").bounded().build())
        .to(KafkaSink.builder("eos-refused", Serdes.string()).bootstrapServers("other-cluster:9092").build());
    assertThatThrownBy(() -> elsewhere.start().awaitTermination()).hasStackTraceContaining("other-cluster:9092")
        .hasStackTraceContaining("source's cluster");
  }

  @Test
  void a_sink_that_cannot_write_in_the_transaction_still_gets_every_record_at_least_once() throws Exception {
    String topic = "eos-mixed";
    kafka.createTopic(topic, 2);
    kafka.createTopic(topic + "-out", 2);
    produce(topic, 0, 500);
    List<String> local = java.util.Collections.synchronizedList(new ArrayList<>());
    Pipeline p = Pipeline.named("eos-mixed", PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE).build());
    Stream<String> in = p.from(KafkaSource.builder(topic, Serdes.string()).bootstrapServers(kafka.bootstrapServers())
        .groupId("eos-mixed").offsetReset(OffsetReset.EARLIEST).bounded().build());
    in.to(KafkaSink.builder(topic + "-out", Serdes.string()).bootstrapServers(kafka.bootstrapServers()).build());
    in.to(Sinks.forEach("local", local::add));
    p.start().awaitTermination();
    assertThat(local).hasSize(500);
    assertThat(readCommitted(topic + "-out")).hasSize(500).doesNotHaveDuplicates();
  }

  @Test
  void when_the_pipeline_idles_then_its_checkpoints_write_no_transaction() throws Exception {
    // Given: an unbounded exactly-once job that processed its input
    String topic = "eos-idle";
    kafka.createTopic(topic, 2);
    kafka.createTopic(topic + "-out", 2);
    produce(topic, 0, 100);
    Pipeline p = Pipeline.named("eos-idle", PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE).build());
    p.from(KafkaSource.builder(topic, Serdes.string()).bootstrapServers(kafka.bootstrapServers())
            .groupId("eos-idle").offsetReset(OffsetReset.EARLIEST).build())
        .to(KafkaSink.builder(topic + "-out", Serdes.string()).bootstrapServers(kafka.bootstrapServers()).build());
    PipelineHandle h = p.start();
    try {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
          .until(() -> readCommitted(topic + "-out").size() == 100);
      Thread.sleep(500);
      long before = logEnd(io.nip.kafka.internal.KafkaStateChangelog.metaTopicOf("eos-idle"));

      // When: no input arrives for 20 checkpoint intervals
      Thread.sleep(2_000);

      // Then: no metadata record was written meanwhile; new input is committed as before
      assertThat(logEnd(io.nip.kafka.internal.KafkaStateChangelog.metaTopicOf("eos-idle"))).isEqualTo(before);
      produce(topic, 100, 110);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
          .until(() -> readCommitted(topic + "-out").size() == 110);
      assertThat(readCommitted(topic + "-out")).doesNotHaveDuplicates();
    } finally {
      h.stop();
      h.awaitTermination(Duration.ofSeconds(30));
    }
  }

  @Test
  void results_are_written_ahead_into_the_open_transaction_and_become_readable_committed_only_with_its_commit()
      throws Exception {
    // Given: an exactly-once job with an 8 s commit interval that committed a first batch
    String topic = "eos-ahead";
    kafka.createTopic(topic, 2);
    kafka.createTopic(topic + "-out", 2);
    produce(topic, 0, 10);
    Pipeline p = Pipeline.named("eos-ahead", PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE)
        .commitInterval(Duration.ofSeconds(8)).build());
    p.from(KafkaSource.builder(topic, Serdes.string()).bootstrapServers(kafka.bootstrapServers())
            .groupId("eos-ahead").offsetReset(OffsetReset.EARLIEST).build())
        .to(KafkaSink.builder(topic + "-out", Serdes.string()).bootstrapServers(kafka.bootstrapServers()).build());
    PipelineHandle h = p.start();
    try {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
          .until(() -> readCommitted(topic + "-out").size() == 10);

      // When: a second batch arrives, seconds before the next commit
      produce(topic, 10, 20);

      // Then: its results are in the log at once, inside the open transaction: read_uncommitted sees
      // them, read_committed does not until the commit, and then sees every result once
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> readNow(topic + "-out", "read_uncommitted") == 20);
      assertThat(readNow(topic + "-out", "read_committed")).as("read_committed before the commit").isEqualTo(10);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
          .until(() -> readNow(topic + "-out", "read_committed") == 20);
      assertThat(readCommitted(topic + "-out")).hasSize(20).doesNotHaveDuplicates();
    } finally {
      h.stop();
      h.awaitTermination(Duration.ofSeconds(30));
    }
  }

  /** How many records of a topic a consumer with that isolation level reads now (polls for 500 ms). */
  private static int readNow(String topic, String isolation) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties("now-" + System.nanoTime()));
    props.put("isolation.level", isolation);
    props.put("enable.auto.commit", false);
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
      c.assign(tps);
      c.seekToBeginning(tps);
      int n = 0;
      long deadline = System.nanoTime() + 500_000_000L;
      while (System.nanoTime() < deadline) {
        n += c.poll(Duration.ofMillis(100)).count();
      }
      return n;
    }
  }

  /** The sum of a topic's end offsets (commit markers included). */
  private static long logEnd(String topic) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties("end-" + System.nanoTime()));
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
      return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Every value of a topic, read {@code read_committed} up to the end of its log: a producer's commit
   * returns before the commit markers are written, so the last stable offset may trail the log end
   * for a moment after a job ended; the reader waits until it passed every transaction's marker.
   */
  static List<String> readCommitted(String topic) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties("reader-" + System.nanoTime()));
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", false);
    Map<String, Object> uncommitted = new HashMap<>(props);
    uncommitted.put("isolation.level", "read_uncommitted");
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        KafkaConsumer<String, String> logEnd = new KafkaConsumer<>(uncommitted, new StringDeserializer(),
            new StringDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = logEnd.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }

  /** The sum of the group's committed offsets, 0 before its first commit. */
  private static long committedOffsets(String group) throws Exception {
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
          .filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum();
    }
  }

  private static Process startJob(Path log, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java,
        "-Dorg.slf4j.simpleLogger.log.io.nip=" + System.getProperty("nip.childLogLevel", "warn"),
        "-cp", System.getProperty("java.class.path"), Job.class.getName(), kafka.bootstrapServers()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static Process startJob(String topic, String app, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Dnip.guarantee=" + System.getProperty("nip.guarantee", "EXACTLY_ONCE"),
        "-cp", System.getProperty("java.class.path"), Job.class.getName(),
        kafka.bootstrapServers(), topic, app)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
