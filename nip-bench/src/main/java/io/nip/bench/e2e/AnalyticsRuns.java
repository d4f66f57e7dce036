package io.nip.bench.e2e;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsEventSerde;
import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One timed run of each contender over the whole input topic. Every run uses a fresh consumer
 * group (or application id) and a fresh output topic, and is timed from just before its client is
 * created until all input was processed and the output was flushed.
 */
final class AnalyticsRuns {
  /**
   * Result of one run.
   *
   * @param name contender
   * @param records input records
   * @param elapsed wall time
   * @param outputRecords records in the output topic (under exactly-once as read {@code read_committed},
   *     without transaction markers)
   * @param lateEvents events dropped as late (NIP only)
   * @param tail time from the last input record parsed to the end of the run (NIP only, 5 ms resolution)
   * @param head time from the start of the run to the first input record parsed (NIP only, 5 ms
   *     resolution): client creation, group join and the first fetch
   * @param cpu CPU time this JVM used over the same span, every thread together (the broker runs in
   *     a JVM of its own and is not counted)
   */
  record Run(String name, long records, Duration elapsed, long outputRecords, long lateEvents, Duration tail,
      Duration head, Duration cpu) {
    double recordsPerSecond() {
      return records / (elapsed.toNanos() / 1e9);
    }

    /** @return CPU microseconds this JVM spent per input record */
    double cpuMicrosPerRecord() {
      return cpu.toNanos() / 1e3 / records;
    }
  }

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /** @return the CPU time this JVM has used so far, all threads, in ns */
  static long cpuNanos() {
    return OS.getProcessCpuTime();
  }

  private final String bootstrap;
  private final Topics topics;
  private int sequence;

  AnalyticsRuns(String bootstrap, Topics topics) {
    this.bootstrap = bootstrap;
    this.topics = topics;
  }

  /** Which exercise the runs measure. */
  enum Exercise {
    /** Exercise 1: bots filtered, 5-minute windows per user. */
    ANALYTICS,
    /** Exercise 2: sessions per user, closed by more than 30 minutes of inactivity. */
    SESSIONS
  }

  private Exercise exercise = Exercise.ANALYTICS;

  /**
   * @param e the exercise NIP and Kafka Streams run (default {@link Exercise#ANALYTICS})
   * @return this
   */
  AnalyticsRuns exercise(Exercise e) {
    this.exercise = e;
    return this;
  }

  /** NIP's commitInterval and Kafka Streams' commit.interval.ms, or null for each side's default. */
  private Duration commitInterval;

  /**
   * @param interval NIP's {@code commitInterval} and Kafka Streams' {@code commit.interval.ms}, or
   *     null for each side's default
   * @return this
   */
  AnalyticsRuns commitInterval(Duration interval) {
    this.commitInterval = interval;
    return this;
  }

  private String nextId(String kind) {
    return "bench-" + kind + "-" + (++sequence);
  }

  /**
   * The limit: one plain consumer, every value parsed by the exercise's parser (Jackson tree model
   * plus checks, {@link AnalyticsEventSerde}) into an {@link AnalyticsEvent}, nothing else.
   */
  Run limit(String input, long records) {
    String group = nextId("limit");
    AnalyticsEventSerde parser = new AnalyticsEventSerde();
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    long start = System.nanoTime();
    long cpuStart = cpuNanos();
    long seen = 0;
    long check = 0;
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(input));
      while (seen < records) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          AnalyticsEvent e = parser.deserialize(r.value());
          check += e.eventType().length();
          seen++;
        }
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    if (check == 0) {
      throw new IllegalStateException("no event parsed");
    }
    return new Run("limit", seen, elapsed, 0, 0, Duration.ZERO, Duration.ZERO,
        Duration.ofNanos(cpuNanos() - cpuStart));
  }

  /**
   * NIP's exercise-1 job ({@link AnalyticsPipeline}), bounded at the end offsets taken when it starts;
   * with {@code keyedInput} it declares the input keyed by user (windows in the source tasks, run
   * as {@code nip-partitioned}), without it keys with {@code keyBy} (the exchange between tasks).
   */
  Run nip(String input, long records, int threads, boolean keyedInput, BenchState state) {
    return nip(input, records, threads, keyedInput ? Variant.PARTITIONED : Variant.KEY_BY, state, false);
  }

  /** How the NIP job is set up: each is a contender of its own. */
  enum Variant {
    /** Keys with {@code keyBy}: the exchange between tasks. */
    KEY_BY("nip"),
    /** Declares the input keyed by user: windows in the source tasks. */
    PARTITIONED("nip-partitioned"),
    /**
     * {@link #KEY_BY} behind exercise 1's backpressure: a bounded buffer of {@link #BUFFER} records
     * per partition that blocks when full, and a rate limit of {@link #RATE_LIMIT} events/s, far
     * above what the machine reaches, so that it never binds: what the two cost when they are idle.
     */
    BACKPRESSURE("nip-backpressure"),
    /**
     * {@link #KEY_BY} with full monitoring ({@link FullMonitoring}): meters in a Prometheus registry
     * scraped every second, health checks, and 1 % of records traced and exported over OTLP.
     */
    MONITORED("nip-monitored"),
    /** {@link #KEY_BY} without per-operator metrics ({@code PipelineConfig.operatorMetrics(false)}). */
    BARE("nip-bare"),
    /**
     * {@link #KEY_BY} with each input record checked against exercise 1's JSON Schema before the
     * strict parser reads it ({@code AnalyticsPipeline.Builder.validateSchema()}): what the
     * validation costs ({@code nip bench analytics --validate-schema}).
     */
    SCHEMA("nip-schema");

    static final int BUFFER = 10_000;
    static final double RATE_LIMIT = 100_000_000;

    final String contender;

    Variant(String contender) {
      this.contender = contender;
    }
  }

  /**
   * Like {@link #nip(String, long, int, boolean, BenchState)}; with {@code exactlyOnce} the job runs
   * {@code Guarantee.EXACTLY_ONCE} at its default checkpoint interval (100 ms).
   */
  Run nip(String input, long records, int threads, Variant variant, BenchState state, boolean exactlyOnce) {
    String name = variant.contender;
    String group = nextId(name);
    String output = group + "-out";
    String dlq = group + "-dlq";
    topics.create(output, 3);
    topics.create(dlq, 1);
    try (BenchState.Local local = state.nipBackend()) { // with rocksdb: a new directory, deleted after the run
      return nip(input, records, threads, variant, local, name, group, output, dlq, exactlyOnce);
    }
  }

  private Run nip(String input, long records, int threads, Variant variant, BenchState.Local local, String name,
      String group, String output, String dlq, boolean exactlyOnce) {
    try (FullMonitoring monitoring = variant == Variant.MONITORED ? new FullMonitoring() : null) {
      PipelineConfig.Builder config = PipelineConfig.builder().threads(threads)
          .meterRegistry(monitoring != null ? monitoring.registry() : new SimpleMeterRegistry())
          .operatorMetrics(variant != Variant.BARE)
          .guarantee(exactlyOnce ? io.nip.pipeline.Guarantee.EXACTLY_ONCE : io.nip.pipeline.Guarantee.AT_LEAST_ONCE);
      return nip(input, records, variant, local, name, group, output, dlq, config, monitoring);
    }
  }

  private Run nip(String input, long records, Variant variant, BenchState.Local local, String name,
      String group, String output, String dlq, PipelineConfig.Builder config, FullMonitoring monitoring) {
    if (local.backend() != null) {
      config.stateBackend(local.backend());
    }
    if (commitInterval != null) {
      config.commitInterval(commitInterval);
    }
    long start = System.nanoTime();
    long cpuStart = cpuNanos();
    NipJob job = exercise == Exercise.SESSIONS ? sessionsJob(group, input, output, dlq, config.build())
        : analyticsJob(variant, group, input, output, dlq, config.build(), monitoring);
    long inputDone = 0;
    long firstInput = 0;
    try (PipelineHandle h = job.job().start()) {
      long deadline = start + Duration.ofMinutes(30).toNanos();
      while (!h.awaitTermination(Duration.ofMillis(5))) {
        if (firstInput == 0 && job.eventsIn().getAsLong() > 0) {
          firstInput = System.nanoTime();
        }
        if (inputDone == 0 && job.eventsIn().getAsLong() >= records) {
          inputDone = System.nanoTime();
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the NIP run did not finish within 30 minutes");
        }
      }
      h.failure().ifPresent(f -> {
        throw new IllegalStateException("the NIP run failed: " + f, f);
      });
    }
    long end = System.nanoTime();
    Duration cpu = Duration.ofNanos(cpuNanos() - cpuStart);
    Duration elapsed = Duration.ofNanos(end - start);
    Duration tail = Duration.ofNanos(inputDone == 0 ? 0 : end - inputDone);
    long committed = topics.committedSum(group, input);
    if (committed != records) {
      throw new IllegalStateException("NIP committed " + committed + " of " + records + " input offsets");
    }
    boolean transactional = config.build().guarantee() == io.nip.pipeline.Guarantee.EXACTLY_ONCE;
    long out = transactional ? topics.committedRecords(output) : topics.endOffsetSum(output);
    long bad = topics.endOffsetSum(dlq);
    topics.delete(output);
    topics.delete(dlq);
    if (bad != 0) {
      throw new IllegalStateException("NIP sent " + bad + " records to the dead-letter topic");
    }
    Duration head = Duration.ofNanos(firstInput == 0 ? 0 : firstInput - start);
    return new Run(name, records, elapsed, out, job.lateEvents().getAsLong(), tail, head, cpu);
  }

  /** A NIP job of either exercise, with its counters. */
  private record NipJob(io.nip.examples.KafkaJob<?> job, java.util.function.LongSupplier eventsIn,
      java.util.function.LongSupplier lateEvents) {}

  private NipJob analyticsJob(Variant variant, String group, String input, String output, String dlq,
      PipelineConfig config, FullMonitoring monitoring) {
    AnalyticsPipeline.Builder builder = AnalyticsPipeline.builder(bootstrap).groupId(group).inputTopic(input)
        .outputTopic(output).deadLetterTopic(dlq).bounded().config(config);
    if (monitoring != null) {
      builder.botFilter(monitoring::tracedFilter);
    }
    if (variant == Variant.PARTITIONED) {
      builder.inputKeyedByUser(); // the input is keyed by user_id, as Kafka Streams' groupByKey assumes
    } else if (variant == Variant.SCHEMA) {
      builder.validateSchema();
    } else if (variant == Variant.BACKPRESSURE) {
      builder.backpressure(io.nip.backpressure.BufferManager.of(Variant.BUFFER,
              io.nip.backpressure.BackpressureStrategy.BLOCK))
          .rateLimit(io.nip.backpressure.RateLimiter.of(Variant.RATE_LIMIT, Variant.BUFFER));
    }
    AnalyticsPipeline job = builder.build();
    return new NipJob(job, () -> job.counters().eventsIn(), () -> job.counters().lateEvents());
  }

  private NipJob sessionsJob(String group, String input, String output, String dlq, PipelineConfig config) {
    io.nip.examples.sessions.SessionsPipeline job = io.nip.examples.sessions.SessionsPipeline.builder(bootstrap)
        .groupId(group).inputTopic(input).outputTopic(output).deadLetterTopic(dlq).bounded().config(config).build();
    return new NipJob(job, () -> job.counters().eventsIn(), () -> job.counters().lateEvents());
  }

  /**
   * Kafka Streams with the given stream threads, closed once its filter has seen every input record;
   * its window store in memory or in RocksDB ({@code storeKind}).
   */
  Run kafkaStreams(String input, long records, int threads, BenchState storeKind) throws IOException {
    return kafkaStreams(input, records, threads, storeKind, false);
  }

  /**
   * Like {@link #kafkaStreams(String, long, int, BenchState)}; with {@code exactlyOnce} the job runs
   * {@code exactly_once_v2} at its default commit interval (100 ms).
   */
  Run kafkaStreams(String input, long records, int threads, BenchState storeKind, boolean exactlyOnce)
      throws IOException {
    String app = nextId("streams" + threads);
    String output = app + "-out";
    topics.create(output, 3);
    Path state = Files.createTempDirectory("nip-bench-streams-");
    LongAdder seen = new LongAdder();
    long start = System.nanoTime();
    long cpuStart = cpuNanos();
    java.util.Properties props = StreamsAnalyticsJob.config(bootstrap, app, threads, state, exactlyOnce);
    if (commitInterval != null) {
      props.put(org.apache.kafka.streams.StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
    }
    KafkaStreams streams = new KafkaStreams(exercise == Exercise.SESSIONS
        ? StreamsSessionsJob.topology(input, output, seen, storeKind)
        : StreamsAnalyticsJob.topology(input, output, seen, storeKind), props);
    Throwable[] failure = new Throwable[1];
    streams.setUncaughtExceptionHandler(e -> {
      failure[0] = e;
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .SHUTDOWN_CLIENT;
    });
    streams.start();
    long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
    while (seen.sum() < records) {
      if (failure[0] != null || System.nanoTime() > deadline) {
        streams.close(Duration.ofSeconds(30));
        throw new IllegalStateException("the Kafka Streams run failed or timed out: " + failure[0], failure[0]);
      }
      Thread.onSpinWait();
      Topics.sleep(1);
    }
    streams.close(Duration.ofMinutes(2));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    Duration cpu = Duration.ofNanos(cpuNanos() - cpuStart);
    long committed = topics.committedSum(app, input);
    if (committed != records) {
      throw new IllegalStateException("Kafka Streams committed " + committed + " of " + records + " input offsets");
    }
    long out = exactlyOnce ? topics.committedRecords(output) : topics.endOffsetSum(output);
    topics.delete(output);
    deleteTree(state);
    return new Run("kafka-streams-" + threads + "t", seen.sum(), elapsed, out, 0, Duration.ZERO, Duration.ZERO, cpu);
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
