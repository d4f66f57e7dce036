package io.nip.bench.e2e;

import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;

/**
 * {@code nip bench latency}: a stateless filter + map job fed at a steady rate by a producer thread
 * in this JVM; each record carries {@code System.nanoTime()} taken just before its send, and the
 * sink (in this JVM too) records {@code nanoTime() - sent} in an HdrHistogram. A plain consumer
 * thread (the floor set by producer, broker and fetch), NIP and Kafka Streams run one after another,
 * each on a fresh topic, each with a warm-up that is not recorded.
 */
final class LatencyBench {
  /** The settings of a run. */
  record Settings(int rate, int seconds, int warmupSeconds, int threads, Duration commitInterval,
      boolean exactlyOnce) {
    Settings(int rate, int seconds, int warmupSeconds, int threads, Duration commitInterval) {
      this(rate, seconds, warmupSeconds, threads, commitInterval, false);
    }
  }

  /** Consumer settings given to both contenders: return a fetch as soon as one byte is there. */
  static final Map<String, Object> CONSUMER = Map.of(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1,
      ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);

  private LatencyBench() {}

  static Map<String, Object> run(Settings s, PrintStream log) throws IOException {
    log.printf("starting the broker in its own JVM ...%n");
    try (BrokerProcess broker = BrokerProcess.start(); Topics topics = new Topics(broker.bootstrapServers())) {
      String bootstrap = broker.bootstrapServers();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rate", s.rate());
      m.put("seconds", s.seconds());
      m.put("warmup_seconds", s.warmupSeconds());
      m.put("threads", s.threads());
      m.put("guarantee", s.exactlyOnce() ? "exactly-once" : "at-least-once");
      m.put("commit_interval_ms", s.commitInterval() == null ? "default" : s.commitInterval().toMillis());
      topics.create("latency-consumer", 3);
      m.put("consumer", measure("plain consumer", bootstrap, "latency-consumer", s, log,
          rec -> consumer(bootstrap, rec)));
      topics.create("latency-nip", 3);
      topics.create("latency-nip-out", 3);
      topics.create("latency-streams-out", 3);
      m.put("nip", measure("NIP", bootstrap, "latency-nip", s, log, rec -> nip(bootstrap, s, rec)));
      topics.create("latency-streams", 3);
      m.put("kafka_streams", measure("Kafka Streams", bootstrap, "latency-streams", s, log,
          rec -> streams(bootstrap, s, rec)));
      return m;
    }
  }

  private interface Starter {
    AutoCloseable start(Recorder recorder) throws IOException;
  }

  private static Map<String, Object> measure(String name, String bootstrap, String topic, Settings s,
      PrintStream log, Starter starter) throws IOException {
    Recorder recorder = new Recorder(3);
    AtomicLong sent = new AtomicLong();
    try (AutoCloseable job = starter.start(recorder)) {
      Feeder feeder = new Feeder(bootstrap, topic, s.rate(), sent);
      feeder.start();
      log.printf(Locale.ROOT, "%s: warm-up %d s at %,d records/s ...%n", name, s.warmupSeconds(), s.rate());
      Topics.sleep(s.warmupSeconds() * 1000L);
      recorder.getIntervalHistogram();
      long sentBefore = sent.get();
      log.printf(Locale.ROOT, "%s: measuring %d s ...%n", name, s.seconds());
      Topics.sleep(s.seconds() * 1000L);
      Histogram h = recorder.getIntervalHistogram();
      long sentDuring = sent.get() - sentBefore;
      feeder.stop();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sent", sentDuring);
      m.put("received", h.getTotalCount());
      m.put("p50_ms", ms(h.getValueAtPercentile(50)));
      m.put("p99_ms", ms(h.getValueAtPercentile(99)));
      m.put("p99_9_ms", ms(h.getValueAtPercentile(99.9)));
      m.put("max_ms", ms(h.getMaxValue()));
      log.printf(Locale.ROOT, "%s: %s%n", name, m);
      return m;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  /** The floor: one plain consumer thread that parses, filters and records, with the same fetch settings. */
  private static AutoCloseable consumer(String bootstrap, Recorder recorder) {
    Map<String, Object> props = new HashMap<>(CONSUMER);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-consumer");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    io.nip.serde.Serde<LatencyEvent> serde = Serdes.json(LatencyEvent.class);
    AtomicLong stop = new AtomicLong();
    Thread t = new Thread(() -> {
      try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(props,
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        c.subscribe(java.util.List.of("latency-consumer"));
        while (stop.get() == 0) {
          for (var r : c.poll(Duration.ofMillis(100))) {
            LatencyEvent e = serde.deserialize(r.value());
            if (!e.userId().startsWith("bot_")) {
              recorder.recordValue(Math.max(0, (System.nanoTime() - e.sentNanos()) / 1000));
            }
          }
        }
      }
    }, "nip-bench-latency-consumer");
    t.setDaemon(true);
    t.start();
    Topics.sleep(2000);
    return () -> {
      stop.set(1);
      t.join(10_000);
    };
  }

  private static AutoCloseable nip(String bootstrap, Settings s, Recorder recorder) {
    PipelineConfig.Builder cfg = PipelineConfig.builder().threads(s.threads())
        .guarantee(s.exactlyOnce() ? Guarantee.EXACTLY_ONCE : Guarantee.AT_LEAST_ONCE);
    if (s.commitInterval() != null) {
      cfg.commitInterval(s.commitInterval());
    }
    Pipeline p = Pipeline.named("latency-nip", cfg.build());
    KafkaSource<LatencyEvent> source = KafkaSource.builder("latency-nip", Serdes.json(LatencyEvent.class))
        .bootstrapServers(bootstrap).groupId("latency-nip").offsetReset(OffsetReset.LATEST)
        .consumerProperties(CONSUMER).build();
    var out = p.from(source)
        .filter(e -> !e.userId().startsWith("bot_"), Op.named("drop-bots"))
        .map(e -> new LatencyEvent(e.userId(), e.eventType(), e.value() * 1.1, e.sentNanos()), Op.named("scale"));
    AutoCloseable reader = () -> { };
    if (s.exactlyOnce()) {
      // results count when a read_committed reader sees them
      out.to(KafkaSink.builder("latency-nip-out", Serdes.json(LatencyEvent.class)).bootstrapServers(bootstrap).build());
      reader = committedReader(bootstrap, "latency-nip-out", recorder);
    } else {
      out.to(new LatencySink(recorder));
    }
    PipelineHandle h = p.start();
    Topics.sleep(2000);
    AutoCloseable r = reader;
    return () -> {
      h.stop();
      h.awaitTermination(Duration.ofSeconds(30));
      r.close();
    };
  }

  /**
   * Under exactly-once: a consumer thread reading a job's output topic {@code read_committed}, which
   * records each record's latency from its send to the moment it is readable.
   */
  private static AutoCloseable committedReader(String bootstrap, String topic, Recorder recorder) {
    Map<String, Object> props = new HashMap<>(CONSUMER);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    io.nip.serde.Serde<LatencyEvent> serde = Serdes.json(LatencyEvent.class);
    AtomicLong stop = new AtomicLong();
    Thread t = new Thread(() -> {
      try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(props,
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        c.subscribe(java.util.List.of(topic));
        while (stop.get() == 0) {
          for (var r : c.poll(Duration.ofMillis(100))) {
            LatencyEvent e = serde.deserialize(r.value());
            recorder.recordValue(Math.max(0, (System.nanoTime() - e.sentNanos()) / 1000));
          }
        }
      }
    }, "nip-bench-latency-reader-" + topic);
    t.setDaemon(true);
    t.start();
    return () -> {
      stop.set(1);
      t.join(10_000);
    };
  }

  private static AutoCloseable streams(String bootstrap, Settings s, Recorder recorder) throws IOException {
    Path state = Files.createTempDirectory("nip-bench-streams-");
    var events = org.apache.kafka.common.serialization.Serdes.serdeFrom(
        (t, e) -> StreamsAnalyticsJob.write(e), (t, b) -> StreamsAnalyticsJob.read(b, LatencyEvent.class));
    StreamsBuilder b = new StreamsBuilder();
    var mapped = b.stream("latency-streams", Consumed.with(org.apache.kafka.common.serialization.Serdes.String(), events))
        .filter((k, e) -> !e.userId().startsWith("bot_"))
        .mapValues(e -> new LatencyEvent(e.userId(), e.eventType(), e.value() * 1.1, e.sentNanos()));
    AutoCloseable reader = () -> { };
    if (s.exactlyOnce()) {
      mapped.to("latency-streams-out", org.apache.kafka.streams.kstream.Produced.with(
          org.apache.kafka.common.serialization.Serdes.String(), events));
      reader = committedReader(bootstrap, "latency-streams-out", recorder);
    } else {
      mapped.foreach((k, e) -> recorder.recordValue(Math.max(0, (System.nanoTime() - e.sentNanos()) / 1000)));
    }
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "latency-streams");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.threads());
    p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, s.exactlyOnce() ? StreamsConfig.EXACTLY_ONCE_V2
        : StreamsConfig.AT_LEAST_ONCE);
    if (s.commitInterval() != null) {
      // else Kafka Streams' default: 100 ms under exactly_once_v2, 30 s at least once
      p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, s.commitInterval().toMillis());
    }
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
    CONSUMER.forEach((k, v) -> p.put(StreamsConfig.consumerPrefix(k), v));
    KafkaStreams streams = new KafkaStreams(b.build(), p);
    streams.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
      Topics.sleep(50);
    }
    Topics.sleep(1000);
    AutoCloseable r = reader;
    return () -> {
      streams.close(Duration.ofSeconds(30));
      r.close();
      AnalyticsRuns.deleteTree(state);
    };
  }

  @SuppressWarnings("unchecked")
  static void print(Map<String, Object> m, PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "filter + map at %,d records/s, %s s measured after %s s of warm-up, %s threads, "
        + "%s, commit interval %s ms%s%n", m.get("rate"), m.get("seconds"), m.get("warmup_seconds"), m.get("threads"),
        m.get("guarantee"), m.get("commit_interval_ms"),
        "exactly-once".equals(m.get("guarantee")) ? " (latency until a read_committed reader sees the result)" : "");
    out.printf(Locale.ROOT, "  %-14s %10s %10s %10s %10s %12s%n", "", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
        "received");
    for (String k : new String[] {"consumer", "nip", "kafka_streams"}) {
      Map<String, Object> r = (Map<String, Object>) m.get(k);
      String label = k.equals("nip") ? "NIP" : k.equals("consumer") ? "plain consumer" : "Kafka Streams";
      out.printf(Locale.ROOT, "  %-14s %10.2f %10.2f %10.2f %10.2f %,12d%n", label,
          r.get("p50_ms"), r.get("p99_ms"), r.get("p99_9_ms"), r.get("max_ms"), r.get("received"));
    }
  }

  /** Records the latency of each record it is given; any number of writers, one per task. */
  static final class LatencySink implements Sink<LatencyEvent> {
    private final Recorder recorder;

    LatencySink(Recorder recorder) {
      this.recorder = recorder;
    }

    @Override
    public String name() {
      return "latency";
    }

    @Override
    public SinkWriter<LatencyEvent> createWriter(SinkContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(LatencyEvent e) {
          recorder.recordValue(Math.max(0, (System.nanoTime() - e.sentNanos()) / 1000));
        }

        @Override
        public void close() {}
      };
    }
  }

  /**
   * Sends records at a steady rate from its own thread: every wake-up sends the records whose planned
   * send time has passed, each stamped with {@code nanoTime()} just before its send.
   */
  static final class Feeder {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final long intervalNanos;
    private final AtomicLong sent;
    private final Thread thread;
    private volatile boolean running = true;

    Feeder(String bootstrap, String topic, int rate, AtomicLong sent) {
      Map<String, Object> props = new HashMap<>();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ProducerConfig.ACKS_CONFIG, "1");
      props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
      this.producer = new KafkaProducer<>(props, new StringSerializer(),
          new org.apache.kafka.common.serialization.ByteArraySerializer());
      this.topic = topic;
      this.intervalNanos = 1_000_000_000L / rate;
      this.sent = sent;
      this.thread = new Thread(this::run, "nip-bench-feeder");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      SplittableRandom rnd = new SplittableRandom(3);
      StringBuilder sb = new StringBuilder(128);
      long next = System.nanoTime();
      while (running) {
        long now = System.nanoTime();
        if (now < next) {
          LockSupport.parkNanos(Math.min(next - now, 200_000));
          continue;
        }
        if (now - next > 1_000_000_000L) {
          next = now;
        }
        while (next <= now && running) {
          int u = rnd.nextInt(EventFeed.USERS);
          String user = (u < EventFeed.BOTS ? "bot_" : "user_") + u;
          sb.setLength(0);
          sb.append("{\"user_id\":\"").append(user).append("\",\"event_type\":\"")
              .append(EventFeed.TYPES[rnd.nextInt(EventFeed.TYPES.length)]).append("\",\"value\":")
              .append(rnd.nextInt(50_000) / 100.0).append(",\"sent_nanos\":").append(System.nanoTime()).append('}');
          producer.send(new ProducerRecord<>(topic, user, sb.toString().getBytes(StandardCharsets.UTF_8)));
          sent.incrementAndGet();
          next += intervalNanos;
        }
      }
    }

    void stop() {
      running = false;
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close(Duration.ofSeconds(10));
    }
  }
}
