package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferStats;
import io.nip.backpressure.DynamicThrottler;
import io.nip.backpressure.RateLimiter;
import io.nip.errors.DeadLetter;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.streaming.BufferedPipeline;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 15's overload run on the real (embedded) broker: a producer writes at ten times the rate
 * the pipeline sustains, for {@code nip.overload.seconds} seconds (default 10; the documented long
 * run uses 60), and the test checks counts, bounds and convergence, never speed. (With 8 s the
 * throttler's check, "within ±20 % of the sustainable rate in the first half", failed once in a full
 * build on a busy 2-core machine: its ramp stalled for 2 s while a few records queued.)
 *
 * <p>The slow handler: the pipeline's consumer sits behind a rate limiter of {@code R} events/s
 * with a burst of one ({@code nip.overload.rate}, default 500), a fixed cost of {@code 1/R}
 * seconds per record that takes no CPU and no thread (a record without a token waits in the
 * engine's gate; its task yields its worker). The limiter belongs to a {@link DynamicThrottler}
 * nobody feeds during the overload, so its rate stays {@code R}; once the producer stopped, the
 * test reports healthy values to it and the capacity grows tenfold per 100 ms, so that the backlog
 * of {@code BLOCK} drains in seconds instead of nine times the run.
 *
 * <p>Records are 4 KB (an id and padding), so that holding the input in memory would show: the
 * input of the 8 s run is about 160 MB, of the 60 s run 1.2 GB. Heap: sampled every 20 ms (used,
 * garbage included) and once a second after a full collection (live); the live heap must stay
 * within {@link #HEAP_BOUND_BYTES} of what it was before the run. Figures go to standard output.
 *
 * <pre>
 * mvn -o -B verify -pl nip-examples -am -Dtest=OverloadTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dnip.overload.seconds=60
 * </pre>
 */
class OverloadTest {
  /** The run's length, seconds: {@code -Dnip.overload.seconds}. */
  private static final int SECONDS = Integer.getInteger("nip.overload.seconds", 10);
  /** The pipeline's sustainable rate, events/s: {@code -Dnip.overload.rate}; the producer writes ten times that. */
  private static final int RATE = Integer.getInteger("nip.overload.rate", 500);
  private static final int PARTITIONS = 2;
  /** Records per partition's buffer: two seconds of the handler's work. */
  private static final int BUFFER = 2 * RATE / PARTITIONS;
  private static final int VALUE_BYTES = 4096;
  private static final long HEAP_BOUND_BYTES = 128L << 20;
  private static final String PADDING = "x".repeat(VALUE_BYTES - 16);

  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static int id(String value) {
    return Integer.parseInt(value, 0, value.indexOf('|'), 10);
  }

  private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit + " waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Marks ids; counts an id seen twice. Thread-safe. */
  private static final class Seen {
    private final BitSet ids = new BitSet();
    private long duplicates;

    synchronized void add(int id) {
      if (ids.get(id)) {
        duplicates++;
      }
      ids.set(id);
    }

    synchronized int count() {
      return ids.cardinality();
    }

    synchronized long duplicates() {
      return duplicates;
    }

    synchronized BitSet ids() {
      return (BitSet) ids.clone();
    }
  }

  /**
   * Writes records {@code 0..} at {@code 10 * RATE} per second on a thread of its own, paced in
   * 10 ms steps, for {@link #SECONDS} or until {@link #finish()}.
   */
  private static final class OverloadProducer extends Thread {
    private final String topic;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long end;
    private volatile int sent;

    OverloadProducer(String topic, boolean untilFinished) {
      super("overload-producer-" + topic);
      this.topic = topic;
      this.end = untilFinished ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    }

    /** Stops writing. */
    void finish() {
      end = System.nanoTime();
    }

    @Override
    public void run() {
      HashMap<String, Object> props = new HashMap<>(kafka.producerProperties());
      props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
        long start = System.nanoTime();
        int n = 0;
        for (long now = start; now < end; now = System.nanoTime()) {
          long due = (now - start) * 10L * RATE / 1_000_000_000L;
          for (; n < due; n++) {
            String id = Integer.toString(n);
            p.send(new ProducerRecord<>(topic, id, id + "|" + PADDING), (md, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              } else {
                acked.incrementAndGet();
              }
            });
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        p.flush();
        sent = n;
      }
    }

    /** @return the records written, after the thread ended; fails when the broker refused one */
    int input() throws InterruptedException {
      join();
      assertThat(failure.get()).as("producer failure").isNull();
      assertThat(acked.get()).isEqualTo(sent);
      return sent;
    }
  }

  /** Samples the heap: used (every 20 ms) and live (after a full collection, once a second). */
  private static final class HeapSampler extends Thread {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final BufferedPipeline<?> pipeline;
    private final long baseline;
    private volatile boolean running = true;
    private volatile long maxUsed;
    private volatile long maxLive;
    private volatile long maxBuffered;

    HeapSampler(BufferedPipeline<?> pipeline) {
      super("overload-heap-sampler");
      this.pipeline = pipeline;
      this.baseline = live();
    }

    private long live() {
      System.gc();
      return memory.getHeapMemoryUsage().getUsed();
    }

    @Override
    public void run() {
      long lastGc = System.nanoTime();
      while (running) {
        maxUsed = Math.max(maxUsed, memory.getHeapMemoryUsage().getUsed());
        if (pipeline != null) {
          maxBuffered = Math.max(maxBuffered, pipeline.bufferStats().size());
        }
        if (System.nanoTime() - lastGc > TimeUnit.SECONDS.toNanos(1)) {
          maxLive = Math.max(maxLive, live());
          lastGc = System.nanoTime();
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }

    void finish() throws InterruptedException {
      running = false;
      join();
    }
  }

  /** Gives the handler its capacity back: healthy values make its rate grow tenfold per 100 ms. */
  private static Thread release(DynamicThrottler capacity) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted() && capacity.rate() < RateLimiter.MAX_RATE) {
        capacity.recordMetric(0);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }, "overload-release");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static DynamicThrottler capacity() {
    return new DynamicThrottler(RATE, RATE, RateLimiter.MAX_RATE, 10, DynamicThrottler.Metric.QUEUE_SIZE)
        .withAdjustmentInterval(Duration.ofMillis(100));
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
  }

  @ParameterizedTest
  @EnumSource(BackpressureStrategy.class)
  void when_ten_times_the_sustainable_rate_arrives_then_heap_stays_bounded_and_every_record_is_accounted_for(
      BackpressureStrategy strategy) throws Exception {
    // Given a buffered pipeline whose handler takes R events/s, behind a buffer of 2 s of its work per partition
    String topic = "overload-" + strategy.name().toLowerCase(Locale.ROOT);
    kafka.createTopic(topic, PARTITIONS);
    Seen processed = new Seen();
    Seen deadLettered = new Seen();
    List<Double> alerts = new CopyOnWriteArrayList<>();
    DynamicThrottler capacity = capacity();
    int threshold = BUFFER * 8 / 10;
    BufferedPipeline<String> pipeline = new BufferedPipeline<String>(topic, BUFFER, strategy, threshold)
        .consumer(v -> {
          processed.add(id(v));
          return null;
        })
        .alertHandler(alerts::add)
        .deadLetters(Sinks.forEach("dropped", (DeadLetter d) -> deadLettered.add(id(d.rawRecordText()))))
        .rateLimit(capacity.limiter());
    // the consumer fetches no further ahead than one buffer per partition: the heap bound is the buffers'
    KafkaSource<String> source = KafkaSource.builder(topic, Serdes.string())
        .bootstrapServers(kafka.bootstrapServers()).groupId(topic).offsetReset(OffsetReset.EARLIEST)
        .maxBufferedRecords(BUFFER).build();
    HeapSampler heap = new HeapSampler(pipeline);
    PipelineHandle handle = pipeline.start(source, PipelineConfig.builder().threads(2)
        .meterRegistry(new SimpleMeterRegistry()).build());
    Thread releaser = null;
    try {
      heap.start();
      // When the producer writes 10 R events/s for the run's length
      OverloadProducer producer = new OverloadProducer(topic, false);
      producer.start();
      int input = producer.input();
      int processedInOverload = processed.count();
      BufferStats atEnd = pipeline.bufferStats();
      releaser = release(capacity);
      await(() -> processed.count() + deadLettered.count() >= input, Duration.ofSeconds(120 + 3L * SECONDS),
          "every record was processed or dropped");
      await(() -> pipeline.bufferStats().dropped() == deadLettered.count(), Duration.ofSeconds(30),
          "each drop was dead-lettered");
      heap.finish();
      BufferStats stats = pipeline.bufferStats();

      System.out.printf(Locale.ROOT, "overload %s: %d s at %,d events/s (%,.0f written per s) against a handler "
              + "of %,d events/s; buffer %,d records x %d partitions (%s of values)%n"
              + "  input %,d, processed %,d (%,d during the overload), dropped %,d, dead-lettered %,d, "
              + "duplicates %d%n  buffer at the end of the overload %s; largest buffered %,d of %,d%n"
              + "  heap: max used %s, live before %s, max live %s (+%s); alerts %s%n",
          strategy, SECONDS, 10 * RATE, (double) input / SECONDS, RATE, BUFFER, PARTITIONS, mb((long) BUFFER * PARTITIONS * VALUE_BYTES),
          input, processed.count(), processedInOverload, stats.dropped(), deadLettered.count(),
          processed.duplicates(), atEnd, heap.maxBuffered, BUFFER * PARTITIONS, mb(heap.maxUsed),
          mb(heap.baseline), mb(heap.maxLive), mb(Math.max(0, heap.maxLive - heap.baseline)), alerts);

      // Then the live heap stayed bounded, and so did the buffer
      assertThat(heap.maxLive - heap.baseline).as("live heap growth").isLessThan(HEAP_BOUND_BYTES);
      assertThat(heap.maxBuffered).isLessThanOrEqualTo((long) BUFFER * PARTITIONS);
      // and the alert fired at the threshold, then at higher levels, not once per record
      assertThat(alerts).isNotEmpty().hasSizeLessThan(Math.max(30, processed.count() / 20));
      assertThat(alerts.get(0)).isBetween(0.8, 0.9);
      assertThat(alerts).allMatch(level -> level >= 0.8 && level <= 1.0 + 1e-9);
      assertThat(processed.duplicates()).isZero();
      assertThat(deadLettered.duplicates()).isZero();
      BitSet all = new BitSet();
      all.set(0, input);
      if (strategy == BackpressureStrategy.BLOCK) {
        // under BLOCK the output equals the reference: every input record, once; nothing dropped
        assertThat(processed.ids()).isEqualTo(all);
        assertThat(stats.dropped()).isZero();
        assertThat(deadLettered.count()).isZero();
      } else {
        // under DROP_* drops + processed = input exactly, and the dead letters are the dropped records
        assertThat(stats.dropped() + processed.count()).isEqualTo(input);
        BitSet union = processed.ids();
        BitSet both = processed.ids();
        both.and(deadLettered.ids());
        union.or(deadLettered.ids());
        assertThat(both.isEmpty()).as("a record both processed and dropped").isTrue();
        assertThat(union).isEqualTo(all);
        assertThat(stats.dropped()).isPositive();
      }
    } finally {
      heap.finish();
      if (releaser != null) {
        releaser.interrupt();
      }
      handle.close();
    }
  }

  @Test
  void when_a_throttler_watches_the_queue_before_a_slow_handler_then_its_rate_settles_around_the_sustainable_rate()
      throws Exception {
    // Given a throttler (from R/2, factor 1.1, every 500 ms) in front of a key exchange whose
    // keyed tasks run a handler of R events/s; its metric: the records between the two, with a
    // target of R/50 (20 ms of the handler's work)
    String topic = "overload-throttled";
    kafka.createTopic(topic, PARTITIONS);
    DynamicThrottler throttler = new DynamicThrottler(RATE / 2.0, RATE / 10.0, 10.0 * RATE, 1.1,
        DynamicThrottler.Metric.QUEUE_SIZE).withTarget(RATE / 50.0).withAdjustmentInterval(Duration.ofMillis(500));
    DynamicThrottler capacity = capacity();
    AtomicLong admitted = new AtomicLong();
    AtomicLong processed = new AtomicLong();
    Pipeline p = Pipeline.named("overload-throttled", PipelineConfig.builder().threads(2)
        .meterRegistry(new SimpleMeterRegistry()).build());
    p.from(KafkaSource.builder(topic, Serdes.string()).bootstrapServers(kafka.bootstrapServers()).groupId(topic)
            .offsetReset(OffsetReset.EARLIEST).build())
        .rateLimit(throttler.limiter())
        .peek(v -> admitted.incrementAndGet())
        .keyBy(v -> id(v) % 16, Serdes.json(Integer.class))
        .process((Integer key, String v, KeyedContext<Integer, String> ctx) -> ctx.emit(v))
        .rateLimit(capacity.limiter())
        .peek(v -> processed.incrementAndGet())
        .to(Sinks.forEach("done", v -> { }));
    PipelineHandle handle = p.start();
    List<String> trace = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    OverloadProducer producer = new OverloadProducer(topic, true);
    try {
      // When the producer writes 10 R events/s and, from the first record on, the queue is
      // reported every 20 ms for the run's length
      producer.start();
      await(() -> admitted.get() > 0, Duration.ofSeconds(60), "the first record passed the throttler");
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
      long nextTrace = start;
      long lastProcessed = 0;
      while (System.nanoTime() < end) {
        throttler.recordMetric(admitted.get() - processed.get());
        long now = System.nanoTime();
        if (now >= nextTrace) {
          long done = processed.get();
          rates.add(throttler.rate());
          trace.add(String.format(Locale.ROOT, "%5.1f s rate %7.1f queue %5d processed/s %6.0f",
              (now - start) / 1e9, throttler.rate(), admitted.get() - done, (done - lastProcessed) / 0.5));
          lastProcessed = done;
          nextTrace += TimeUnit.MILLISECONDS.toNanos(500);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      producer.finish();
      producer.input();
      System.out.printf(Locale.ROOT, "overload throttled: %d s at %,d events/s, handler %,d events/s, throttler "
          + "from %.0f (factor 1.1, queue target %.0f records); trace every 0.5 s:%n  %s%n", SECONDS, 10 * RATE,
          RATE, RATE / 2.0, RATE / 50.0, String.join("\n  ", trace));

      // Then the rate entered ±20 % of the sustainable rate within the first half, never went above
      // that band again, and averaged within it. (It can fall below the band for an interval or two
      // when the handler stalls: the queue then grows, and the law lowers the rate while it grows;
      // see nip-examples' README.)
      int settled = -1;
      for (int i = 0; i < rates.size(); i++) {
        if (Math.abs(rates.get(i) - RATE) <= 0.2 * RATE) {
          settled = i;
          break;
        }
      }
      assertThat(settled).as("first sample within ±20 %% of %d; trace %s", RATE, trace)
          .isBetween(0, rates.size() / 2);
      List<Double> after = rates.subList(settled, rates.size());
      double mean = after.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double min = after.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double max = after.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      System.out.printf(Locale.ROOT, "overload throttled: from %.1f s on the rate was %.1f to %.1f, mean %.1f "
          + "(%.2f to %.2f R, mean %.2f R)%n", settled * 0.5, min, max, mean, min / RATE, max / RATE, mean / RATE);
      assertThat(max).as("largest rate after settling").isLessThanOrEqualTo(1.2 * RATE);
      assertThat(mean).as("mean rate after settling").isBetween(0.8 * RATE, 1.2 * RATE);
    } finally {
      producer.finish();
      release(capacity);
      handle.close();
    }
  }
}
