package io.nip.bench.e2e;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.bench.e2e.StreamsJoinJob.Joined;
import io.nip.bench.e2e.StreamsJoinJob.Profile;
import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsEventSerde;
import io.nip.join.Joins;
import io.nip.pipeline.Table;
import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.state.StateBackend;
import io.nip.time.WatermarkStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * The contenders of {@code nip bench join}, each one timed run over the whole events topic joined
 * with the whole profiles topic: a fresh consumer group (or application id) and a fresh output
 * topic per run, timed from just before the client is created until every result is on the output
 * topic (NIP: the bounded pipeline stopped; Kafka Streams: its joiner produced one result per
 * event and the client closed, which flushes its producer). After the clock stops, the output topic
 * is read back and summarised (record count and an order-independent checksum of the values), so
 * that the two sides' results can be compared, then deleted. Each contender runs in a JVM of its own
 * ({@link ContenderProcess}: the static {@code timed...} methods), the topics, read-backs and checks
 * in the bench's.
 */
final class JoinRuns {
  /** The join's operator name on NIP (and the name of its stores' owner). */
  static final String JOIN = "profile-join";
  /** How far behind the newest event time either topic may run (the generator's disorder is 5 s). */
  static final Duration DISORDER = Duration.ofSeconds(10);
  /** How long older profile versions stay readable behind the watermark. */
  static final Duration RETENTION = Duration.ofHours(1);
  /**
   * NIP's watermark alignment: the events wait while the profiles' watermark trails them by more,
   * so the table is loaded before the events it enriches (nip-core README, "Watermark alignment").
   */
  static final Duration MAX_DRIFT = Duration.ofSeconds(30);
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final String[] TIERS = {"free", "basic", "pro", "enterprise"};
  private static final String[] COUNTRIES = {"US", "DE", "FR", "GB", "IN", "BR", "JP", "ES", "IT", "CA"};

  /**
   * Result of one run.
   *
   * @param name contender
   * @param records input events
   * @param elapsed wall time
   * @param outputRecords records on the output topic
   * @param checksum order-independent checksum of the output values (sum of their CRC-32s)
   * @param lateEvents events dropped as too late (NIP only)
   * @param state the join's state at the end of the run: NIP's measured by {@link JoinStateMeter}, Kafka
   *     Streams' table read from its changelog topic
   */
  record Run(String name, long records, Duration elapsed, long outputRecords, long checksum, long lateEvents,
      JoinStateMeter.Measured state) {
    double recordsPerSecond() {
      return records / (elapsed.toNanos() / 1e9);
    }
  }

  private final String bootstrap;
  private final Topics topics;
  private final String profiles;
  private int sequence;

  /**
   * @param bootstrap the broker
   * @param topics its admin client
   * @param profiles the compacted profiles topic every run joins with
   */
  JoinRuns(String bootstrap, Topics topics, String profiles) {
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.profiles = profiles;
  }

  private String nextId(String kind) {
    return "bench-join-" + kind + "-" + (++sequence);
  }

  /**
   * Writes one profile per key ({@link EventFeed#userId} of 0 .. keys - 1), as small JSON values
   * keyed by user id, each with a record timestamp a day before the events' first time.
   *
   * @return value bytes written
   */
  static long writeProfiles(String bootstrap, String topic, int keys, long seed) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    long time = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(EventFeed.SPAN).minus(Duration.ofDays(1))
        .toEpochMilli();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    long bytes = 0;
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int u = 0; u < keys; u++) {
        String user = EventFeed.userId(u);
        byte[] value = StreamsAnalyticsJob.write(new Profile(user, TIERS[rnd.nextInt(TIERS.length)],
            COUNTRIES[rnd.nextInt(COUNTRIES.length)]));
        bytes += value.length;
        producer.send(new ProducerRecord<>(topic, null, time, user, value), (md, e) -> {
          if (e != null) {
            throw new IllegalStateException("cannot write the profiles: " + e.getMessage(), e);
          }
        });
      }
      producer.flush();
    }
    return bytes;
  }

  /**
   * What a contender's JVM measures of one run; the bench's JVM checks the rest.
   *
   * @param elapsedNanos wall time of the run
   * @param lateEvents events dropped as too late (NIP only)
   * @param state NIP's join state at the end, measured by {@link JoinStateMeter} (Kafka Streams: none,
   *     the bench reads its changelog)
   */
  record Timed(long elapsedNanos, long lateEvents, JoinStateMeter.Measured state) {}

  /**
   * NIP, in the contender's JVM ({@link ContenderProcess}): the run of {@link #timedNip}, then the
   * bench's checks: every input offset committed, the output read back.
   *
   * @param nip NIP's contender process
   */
  Run nip(ContenderProcess nip, String events, long records) throws IOException {
    String group = nextId("nip");
    String output = group + "-out";
    topics.create(output, 3);
    long[] a = nip.run(String.join(" ", "run", events, Long.toString(records), group, output));
    long committed = topics.committedSum(group, events);
    if (committed != records) {
      throw new IllegalStateException("NIP committed " + committed + " of " + records + " input offsets");
    }
    long[] out = readBack(output);
    return new Run("nip", records, Duration.ofNanos(a[0]), out[0], out[1], a[1], new JoinStateMeter.Measured(a[2], a[3]));
  }

  /**
   * NIP: {@code Joins.left(events).latest(Table.from(profiles))}, inner, both sources bounded at the
   * end offsets taken when they start, results as {@link Joined} JSON through a {@link KafkaSink};
   * the join's state measured by a {@link JoinStateMeter} when the pipeline has stopped; inputs aligned
   * on their watermarks ({@link #MAX_DRIFT}); each source in a consumer group of its own. Timed from
   * just before the pipeline is built until it has stopped.
   *
   * @param group the events' consumer group (the profiles' is {@code <group>-profiles})
   * @param output the results' topic, already created
   */
  static Timed timedNip(String bootstrap, String profiles, String events, String group, String output, int threads,
      BenchState state) {
    try (BenchState.Local local = state.nipBackend()) { // with rocksdb: a new directory, deleted after the run
      JoinStateMeter meter = new JoinStateMeter(local.backend() != null ? local.backend() : StateBackend.inMemory(),
          JOIN);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      PipelineConfig config = PipelineConfig.builder().threads(threads).meterRegistry(registry)
          .watermarkAlignment(MAX_DRIFT)
          .guarantee(Guarantee.AT_LEAST_ONCE).stateBackend(meter).build();
      long start = System.nanoTime();
      Pipeline p = Pipeline.named("join-bench", config);
      var eventStream = p.from(KafkaSource.builder(events, new AnalyticsEventSerde()).bootstrapServers(bootstrap)
              .groupId(group).offsetReset(OffsetReset.EARLIEST).bounded().build(),
          WatermarkStrategy.<AnalyticsEvent>boundedOutOfOrderness(DISORDER).withTimestamps(AnalyticsEvent::eventTime));
      // a group of its own: a source that joined the events' group would make the events' member
      // rejoin at its next heartbeat before the profiles were read (nip-kafka README, "Rebalances")
      var profileStream = p.from(KafkaSource.builder(profiles, Serdes.json(Profile.class))
              .bootstrapServers(bootstrap).groupId(group + "-profiles").offsetReset(OffsetReset.EARLIEST).bounded()
              .build(),
          WatermarkStrategy.<Profile>boundedOutOfOrderness(DISORDER)); // the record timestamps
      Table<String, Profile> table = Table.from(profileStream, Profile::userId, pr -> pr, Serdes.json(Profile.class),
          RETENTION);
      Joins.left(eventStream, AnalyticsEvent::userId, new AnalyticsEventSerde()).latest(table)
          .keySerde(Serdes.string())
          .apply(Joined::of, Op.named(JOIN))
          .to(KafkaSink.builder(output, Serdes.json(Joined.class)).bootstrapServers(bootstrap).key(Joined::userId)
              .build());
      try (PipelineHandle h = p.start()) {
        if (!h.awaitTermination(TIMEOUT)) {
          throw new IllegalStateException("the NIP run did not finish within " + TIMEOUT.toMinutes() + " minutes");
        }
        h.failure().ifPresent(f -> {
          throw new IllegalStateException("the NIP run failed: " + f, f);
        });
      }
      long elapsed = System.nanoTime() - start;
      long late = (long) registry.find("nip.join.late.events").counters().stream().mapToDouble(Counter::count).sum();
      return new Timed(elapsed, late, meter.measure());
    }
  }

  /**
   * Kafka Streams with the given stream threads, in its contender's JVM: the run of {@link
   * #timedStreams}, then the output and the table's changelog read back.
   *
   * @param streams the contender process
   */
  Run kafkaStreams(ContenderProcess streams, String events, long records, int threads) throws IOException {
    String app = nextId("streams" + threads);
    String output = app + "-out";
    topics.create(output, 3);
    long[] a = streams.run(String.join(" ", "run", events, Long.toString(records), app, output));
    long[] out = readBack(output);
    return new Run("kafka-streams-" + threads + "t", records, Duration.ofNanos(a[0]), out[0], out[1], 0,
        changelogState(app));
  }

  /**
   * Kafka Streams ({@link StreamsJoinJob#topology}), timed from just before the client is created
   * until its joiner has produced one result per event and the client has closed (which flushes its
   * producer).
   *
   * @param app the application id
   * @param output the results' topic, already created
   */
  static Timed timedStreams(String bootstrap, String profiles, String events, long records, String app, String output,
      int threads, BenchState storeKind) throws IOException {
    Path state = Files.createTempDirectory("nip-bench-streams-");
    try {
      LongAdder joined = new LongAdder();
      long start = System.nanoTime();
      KafkaStreams streams = new KafkaStreams(StreamsJoinJob.topology(events, profiles, output, joined, storeKind),
          StreamsAnalyticsJob.config(bootstrap, app, threads, state));
      Throwable[] failure = new Throwable[1];
      streams.setUncaughtExceptionHandler(e -> {
        failure[0] = e;
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      streams.start();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (joined.sum() < records) {
        if (failure[0] != null || System.nanoTime() > deadline) {
          streams.close(Duration.ofSeconds(30));
          throw new IllegalStateException("the Kafka Streams run failed or timed out after " + joined.sum() + " of "
              + records + " results: " + failure[0], failure[0]);
        }
        Topics.sleep(1);
      }
      streams.close(Duration.ofMinutes(2));
      return new Timed(System.nanoTime() - start, 0, new JoinStateMeter.Measured(0, 0));
    } finally {
      AnalyticsRuns.deleteTree(state);
    }
  }

  /** @return the output topic's record count and checksum (sum of the values' CRC-32s); the topic is then deleted */
  private long[] readBack(String output) {
    long[] out = new long[2];
    CRC32 crc = new CRC32();
    scan(output, (k, v) -> {
      crc.reset();
      crc.update(v);
      out[0]++;
      out[1] += crc.getValue();
    });
    topics.delete(output);
    return out;
  }

  /**
   * Kafka Streams' table state as its changelog holds it: per key, the serialized key and the last
   * value written (what its store holds for the key; the RocksDB store adds an 8-byte timestamp).
   */
  private JoinStateMeter.Measured changelogState(String application) {
    String changelog = application + "-" + StreamsJoinJob.STORE + "-changelog";
    Map<String, Integer> last = new HashMap<>();
    scan(changelog, (k, v) -> last.put(new String(k, java.nio.charset.StandardCharsets.UTF_8),
        k.length + (v == null ? 0 : v.length)));
    topics.delete(changelog); // a copy of the profiles per run: the warm-up runs would pile them up
    return new JoinStateMeter.Measured(last.size(), last.values().stream().mapToLong(Integer::longValue).sum());
  }

  /** Reads every record of the topic, up to the end offsets taken first, in each partition's order. */
  private void scan(String topic, java.util.function.BiConsumer<byte[], byte[]> each) {
    long expected = topics.endOffsetSum(topic);
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long seen = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      while (seen < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("read " + seen + " of " + expected + " records of " + topic);
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          each.accept(r.key(), r.value());
          seen++;
        }
      }
    }
  }
}
