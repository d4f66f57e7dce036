package io.nip.bench.e2e;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.state.ValueState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The two sides of {@code nip bench restore}: a keyed count over the input topic (one record per key),
 * first run to the end of the input to build the state and its changelog, then started again with
 * no local state, once per round, to measure how long it takes to restore before it has processed
 * the probe records written just before the start, one in each input partition.
 *
 * <p>Both sides count in the same way: the state of a key is a long, updated per record; the probes
 * are timed where the job computes their new counts (NIP's keyed processor, Kafka Streams'
 * aggregator), so that neither side's output buffering (Kafka Streams' record cache flushes
 * downstream only at commits) enters the figure. A probe's key was counted once when the state was
 * built, so a restored job gives it the count 2; anything else fails the run.
 */
final class RestoreRuns {
  static final String STORE = "counts";
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  /**
   * The state build of one side.
   *
   * @param records input records counted
   * @param elapsed wall time until the job stopped with its state committed
   */
  record Build(long records, Duration elapsed) {
    double recordsPerSecond() {
      return records / (elapsed.toNanos() / 1e9);
    }
  }

  /**
   * One restore onto empty local state.
   *
   * @param name "nip" or "kafka-streams"
   * @param probe from the start until the probe records (one per input partition) were counted: the main figure
   * @param ready NIP: {@code start()} returned (the planner restores every task before that);
   *     Kafka Streams: the client reached RUNNING
   * @param restoreWall Kafka Streams only: first {@code onRestoreStart} to last {@code onRestoreEnd};
   *     zero for NIP (its restore is inside {@code ready}, and logged per task)
   * @param restoredEntries Kafka Streams only: records restored as its listener counts them; -1 for NIP
   * @param probeCount the probe keys' count after the probe (2 when the state was restored)
   */
  record Restore(String name, Duration probe, Duration ready, Duration restoreWall, long restoredEntries,
      long probeCount) {}

  /**
   * Where a job reports what it counted, and when it had counted the probes: one per input
   * partition, so that the time includes the restore of every task (Kafka Streams processes a task
   * as soon as its own state is restored, NIP after every task's).
   */
  static final class Probe {
    private final LongAdder processed = new LongAdder();
    private final AtomicLong seenAt = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
    private final int expected;
    private final boolean armed;
    private volatile long wrongCount;

    /** @param expected probes to wait for; 0 while the state is built */
    Probe(int expected) {
      this.expected = expected;
      this.armed = expected > 0;
    }

    void counted(long newCount) {
      processed.increment();
      if (armed) {
        if (newCount != 2) {
          wrongCount = newCount;
        }
        if (seen.incrementAndGet() == expected) {
          seenAt.set(System.nanoTime());
        }
      }
    }

    long processed() {
      return processed.sum();
    }

    long seenAt() {
      return seenAt.get();
    }

    /** @return 2 when every probe key had its restored count 1 before the probe, else the count that was not */
    long probeCount() {
      return wrongCount == 0 ? 2 : wrongCount;
    }
  }

  private final String bootstrap;
  private final Topics topics;
  private final String input;
  private final int threads;
  private final BenchState state;

  RestoreRuns(String bootstrap, Topics topics, String input, int threads, BenchState state) {
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.input = input;
    this.threads = threads;
    this.state = state;
  }

  // ---- NIP ----

  /** Counts per key; nothing downstream (the sink only closes the chain). */
  static final class Count implements KeyedProcessor<String, String, String> {
    private final Probe probe;

    Count(Probe probe) {
      this.probe = probe;
    }

    @Override
    public void process(String key, String value, KeyedContext<String, String> ctx) {
      ValueState<Long> count = ctx.valueState(STORE, LONG);
      long n = count.valueOr(0L) + 1;
      count.update(n);
      probe.counted(n);
    }
  }

  /** A long as 8 big-endian bytes, as Kafka Streams' {@code Serdes.Long()} writes it. */
  static final Serde<Long> LONG = new Serde<>() {
    @Override
    public byte[] serialize(Long value) {
      return value == null ? null : ByteBuffer.allocate(8).putLong(value).array();
    }

    @Override
    public Long deserialize(byte[] bytes) {
      return bytes == null ? null : ByteBuffer.wrap(bytes).getLong();
    }
  };

  private Pipeline nipPipeline(String app, Probe probe, BenchState.Local local) {
    PipelineConfig.Builder config = PipelineConfig.builder().threads(threads).meterRegistry(new SimpleMeterRegistry());
    if (local.backend() != null) {
      config.stateBackend(local.backend());
    }
    KafkaSource.Builder<String> source = KafkaSource.builder(input, Serdes.string()).bootstrapServers(bootstrap)
        .groupId(app).offsetReset(OffsetReset.EARLIEST);
    Pipeline p = Pipeline.named(app, config.build());
    p.from(source.build())
        .keyBy(v -> v, Serdes.string())
        .process(new Count(probe), Op.named("counter"))
        .to(Sinks.forEach("none", r -> { }));
    return p;
  }

  /**
   * Builds NIP's state: runs until it counted every input record, then stops (the stop commits the
   * changelog and the offsets). Not a bounded run: a source task whose input ended keeps that in its
   * committed metadata, and would end again at once when the state is restored.
   */
  Build nipBuild(String app, long records) {
    Probe probe = new Probe(0);
    try (BenchState.Local local = state.nipBackend()) {
      long start = System.nanoTime();
      try (PipelineHandle h = nipPipeline(app, probe, local).start()) {
        long deadline = start + TIMEOUT.toNanos();
        while (probe.processed() < records) {
          if (h.failure().isPresent() || h.status() == PipelineHandle.Status.COMPLETED
              || System.nanoTime() > deadline) {
            throw new IllegalStateException("the NIP build failed, ended or timed out (" + h.status() + "): "
                + h.failure().orElse(null), h.failure().orElse(null));
          }
          Topics.sleep(1);
        }
        h.stop();
        if (!h.awaitTermination(TIMEOUT)) {
          throw new IllegalStateException("NIP did not stop within " + TIMEOUT);
        }
        h.failure().ifPresent(f -> {
          throw new IllegalStateException("the NIP build failed: " + f, f);
        });
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      check("NIP", app, probe.processed(), records);
      return new Build(records, elapsed);
    }
  }

  /** Starts NIP on empty local state and times it until it counted the probes; then stops it. */
  Restore nipRestore(String app, int probes) {
    Probe probe = new Probe(probes);
    try (BenchState.Local local = state.nipBackend()) { // rocksdb: a new, empty directory
      Pipeline p = nipPipeline(app, probe, local);
      long start = System.nanoTime();
      PipelineHandle h = p.start();
      long ready = System.nanoTime();
      try {
        awaitProbe(probe, start, "NIP", () -> h.failure().orElse(h.status() == PipelineHandle.Status.COMPLETED
            ? new IllegalStateException("the pipeline completed without reading the probe") : null));
      } finally {
        h.stop();
        h.awaitTermination(Duration.ofMinutes(2));
      }
      h.failure().ifPresent(f -> {
        throw new IllegalStateException("the NIP restore run failed: " + f, f);
      });
      return new Restore("nip", Duration.ofNanos(probe.seenAt() - start), Duration.ofNanos(ready - start),
          Duration.ZERO, -1, probe.probeCount());
    }
  }

  // ---- Kafka Streams ----

  private KafkaStreams streams(String app, Probe probe, Path dir) {
    StreamsBuilder b = new StreamsBuilder();
    Materialized<String, Long, KeyValueStore<Bytes, byte[]>> store = state == BenchState.ROCKSDB
        ? Materialized.as(STORE) // the DSL's default: a RocksDB (timestamped) key-value store
        : Materialized.as(Stores.inMemoryKeyValueStore(STORE));
    b.stream(input, Consumed.with(org.apache.kafka.common.serialization.Serdes.String(),
            org.apache.kafka.common.serialization.Serdes.String()))
        .groupByKey(Grouped.with(org.apache.kafka.common.serialization.Serdes.String(),
            org.apache.kafka.common.serialization.Serdes.String()))
        .aggregate(() -> 0L, (key, value, count) -> {
          long n = count + 1;
          probe.counted(n);
          return n;
        }, store.withKeySerde(org.apache.kafka.common.serialization.Serdes.String())
            .withValueSerde(org.apache.kafka.common.serialization.Serdes.Long()));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    p.put("processing.exception.handler.global.enabled", true); // as the analytics peer: quiets a warning
    return new KafkaStreams(b.build(), p);
  }

  /** Builds Kafka Streams' state: runs until it counted every input record, then closes (flush and commit). */
  Build streamsBuild(String app, long records) throws IOException {
    Probe probe = new Probe(0);
    Path dir = Files.createTempDirectory("nip-bench-restore-streams-");
    try {
      long start = System.nanoTime();
      KafkaStreams ks = streams(app, probe, dir);
      Throwable[] failure = new Throwable[1];
      ks.setUncaughtExceptionHandler(e -> {
        failure[0] = e;
        return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
            .SHUTDOWN_CLIENT;
      });
      ks.start();
      try {
        long deadline = start + TIMEOUT.toNanos();
        while (probe.processed() < records) {
          if (failure[0] != null || System.nanoTime() > deadline) {
            throw new IllegalStateException("the Kafka Streams build failed or timed out: " + failure[0], failure[0]);
          }
          Topics.sleep(1);
        }
      } finally {
        close(ks);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      check("Kafka Streams", app, probe.processed(), records);
      return new Build(records, elapsed);
    } finally {
      AnalyticsRuns.deleteTree(dir);
    }
  }

  /** Starts Kafka Streams on an empty state directory and times it until it counted the probes; then closes it. */
  Restore streamsRestore(String app, int probes) throws IOException {
    Probe probe = new Probe(probes);
    Path dir = Files.createTempDirectory("nip-bench-restore-streams-");
    try {
      RestoreTimes times = new RestoreTimes();
      long start = System.nanoTime();
      KafkaStreams ks = streams(app, probe, dir);
      Throwable[] failure = new Throwable[1];
      ks.setUncaughtExceptionHandler(e -> {
        failure[0] = e;
        return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
            .SHUTDOWN_CLIENT;
      });
      ks.setGlobalStateRestoreListener(times);
      ks.setStateListener((now, before) -> {
        if (now == KafkaStreams.State.RUNNING) {
          times.running.compareAndSet(0, System.nanoTime());
        }
      });
      ks.start();
      try {
        awaitProbe(probe, start, "Kafka Streams", () -> failure[0]);
      } finally {
        close(ks);
      }
      long running = times.running.get();
      return new Restore("kafka-streams", Duration.ofNanos(probe.seenAt() - start),
          running == 0 ? Duration.ZERO : Duration.ofNanos(running - start),
          times.firstStart.get() == 0 ? Duration.ZERO : Duration.ofNanos(times.lastEnd.get() - times.firstStart.get()),
          times.restored.sum(), probe.probeCount());
    } finally {
      AnalyticsRuns.deleteTree(dir);
    }
  }

  /** Closes and leaves the group, so the next instance gets the partitions at once (as NIP's consumer does). */
  private static void close(KafkaStreams ks) {
    ks.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofMinutes(2)));
  }

  /** Kafka Streams' restore, as its listener reports it. */
  private static final class RestoreTimes implements StateRestoreListener {
    final AtomicLong firstStart = new AtomicLong();
    final AtomicLong lastEnd = new AtomicLong();
    final AtomicLong running = new AtomicLong();
    final LongAdder restored = new LongAdder();

    @Override
    public void onRestoreStart(TopicPartition tp, String store, long startingOffset, long endingOffset) {
      firstStart.compareAndSet(0, System.nanoTime());
    }

    @Override
    public void onBatchRestored(TopicPartition tp, String store, long batchEndOffset, long numRestored) {
      restored.add(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
      lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
    }
  }

  // ---- shared ----

  private static void awaitProbe(Probe probe, long start, String side, java.util.function.Supplier<Throwable> failure) {
    long deadline = start + TIMEOUT.toNanos();
    while (probe.seenAt() == 0) {
      Throwable f = failure.get();
      if (f != null) {
        throw new IllegalStateException(side + " failed while restoring: " + f, f);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(side + " did not count the probes within " + TIMEOUT);
      }
      Thread.onSpinWait();
      Topics.sleep(1);
    }
  }

  private void check(String side, String app, long processed, long records) {
    if (processed != records) {
      throw new IllegalStateException(side + " counted " + processed + " of " + records + " records");
    }
    long committed = topics.committedSum(app, input);
    if (committed != records) {
      throw new IllegalStateException(side + " committed " + committed + " of " + records + " input offsets");
    }
  }
}
