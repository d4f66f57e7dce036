package io.nip.cli;

import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.nip.errors.DeadLetter;
import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.kafka.KafkaDeadLetterSink;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.state.StateBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The analytics demo: exercise 1 on Kafka. Starts the embedded broker unless servers are given,
 * creates the topics, writes the input (file lines unchanged, or generated events) into
 * {@code user-events} ({@link InputLoader}: lines that cannot be Kafka records become dead letters
 * there, in the dead-letter topic and file), runs {@link AnalyticsPipeline} as a bounded job with a fresh group id on the
 * given state backend, and returns what happened.
 */
final class AnalyticsDemo {

  /**
   * What to run.
   *
   * @param events generated events (ignored with an input file)
   * @param input a JSON-lines file of user events, or null for generated events
   * @param outputs the files results, dead letters and late events also go to, already open
   * @param seed generator seed
   * @param threads worker threads
   * @param bootstrapServers an external cluster, or null for the embedded broker
   * @param maxOutOfOrderness the watermark bound
   * @param groupId the job's consumer group, fresh for each run (also the application id of its changelogs)
   * @param stateBackend where the windows' state lives; the caller opens and closes it
   */
  record Settings(long events, Path input, Outputs outputs, long seed, int threads,
      String bootstrapServers, Duration maxOutOfOrderness, String groupId, StateBackend stateBackend) {}

  /**
   * What happened.
   *
   * @param linesIn non-empty input lines read, or events generated
   * @param eventsIn records read from {@code user-events}
   * @param botsFiltered bot events dropped
   * @param refusedAtLoad lines that never reached Kafka (not UTF-8, or too large), dead-lettered by the loader
   * @param badRecords records of {@code user-events} the pipeline sent to the dead-letter topic
   * @param lateEvents events behind the watermark for their window
   * @param windowsOut results written to {@code analytics-output}
   * @param loadTime time to write the input topic
   * @param elapsed time of the pipeline run, from start to completion
   * @param p50 median processing latency (parse to window update), or null without samples
   * @param p99 99th percentile of that latency, or null without samples
   * @param firstResults the first results (by window start, then user) as JSON lines
   */
  record Summary(long linesIn, long eventsIn, long botsFiltered, long refusedAtLoad, long badRecords,
      long lateEvents, long windowsOut, Duration loadTime, Duration elapsed, Duration p50, Duration p99,
      List<String> firstResults) {
    double eventsPerSecond() {
      double s = elapsed.toNanos() / 1e9;
      return s <= 0 ? 0 : eventsIn / s;
    }

    /** @return input lines that became dead letters, at loading or in the pipeline */
    long badLines() {
      return refusedAtLoad + badRecords;
    }
  }

  /** How many results the summary shows. */
  static final int PREVIEW_RESULTS = 3;

  private AnalyticsDemo() {}

  static Summary run(Settings s) {
    // Ctrl-C or SIGTERM: the current stage stops, the finally blocks clean up, Stopped says how far
    try (ShutdownHandler stops = ShutdownHandler.install()) {
      stops.stage(s.bootstrapServers() == null ? "starting the embedded broker" : "creating the topics", () -> { },
          () -> "");
      EmbeddedKafka embedded = s.bootstrapServers() == null ? EmbeddedKafka.start() : null;
      try {
        String servers = embedded != null ? embedded.bootstrapServers() : s.bootstrapServers();
        stops.stage("creating the topics", () -> { }, () -> "");
        int maxRecordBytes = createTopics(servers);
        long t0 = System.nanoTime();
        InputLoader.Result loaded = load(servers, s, maxRecordBytes, stops);
        Duration loadTime = Duration.ofNanos(System.nanoTime() - t0);
        return process(servers, s, loaded, loadTime, stops);
      } finally {
        if (embedded != null) {
          embedded.close();
        }
      }
    }
  }

  /** @return the largest record the input topic takes, in bytes (its max.message.bytes, at most the producer's limit) */
  private static int createTopics(String servers) {
    List<NewTopic> topics = List.of(new NewTopic(AnalyticsPipeline.INPUT_TOPIC, 3, (short) 1),
        new NewTopic(AnalyticsPipeline.OUTPUT_TOPIC, 3, (short) 1),
        new NewTopic(AnalyticsPipeline.DLQ_TOPIC, 1, (short) 1));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      for (var e : admin.createTopics(topics).values().entrySet()) {
        try {
          e.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex);
          }
        }
      }
      awaitLeaders(admin, topics);
      return Math.min(UserEventFeed.MAX_REQUEST_BYTES, maxMessageBytes(admin));
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", ex);
    } catch (ExecutionException ex) {
      throw new IllegalStateException("the topics on " + servers + " are not ready: " + ex.getCause().getMessage(), ex);
    } catch (java.util.concurrent.TimeoutException ex) {
      throw new IllegalStateException("timed out creating topics on " + servers, ex);
    }
  }

  private static int maxMessageBytes(Admin admin)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, AnalyticsPipeline.INPUT_TOPIC);
    ConfigEntry e = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic)
        .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    return e == null || e.value() == null ? UserEventFeed.MAX_REQUEST_BYTES : Integer.parseInt(e.value());
  }

  /**
   * Returns once every partition's leader serves requests. A new topic's leader is known to the
   * metadata a moment before it accepts writes, and a first batch refused by it while later ones
   * land makes the idempotent producer retry it as out of order until it expires. Listing the end
   * offsets goes to each leader; it is repeated while a leader answers that it is not ready, and
   * so is describing the topics, which the broker that answers may not know yet.
   */
  private static void awaitLeaders(Admin admin, List<NewTopic> topics)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> names = topics.stream().map(NewTopic::name).toList();
    while (true) {
      try {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
          d.partitions().forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() - deadline > 0) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private static InputLoader.Result load(String servers, Settings s, int maxRecordBytes, ShutdownHandler stops) {
    stops.checkStop();
    UserEventFeed feed = UserEventFeed.open(servers, AnalyticsPipeline.INPUT_TOPIC);
    stops.stage("loading the input", () -> { }, () -> String.format("%,d events written to %s", feed.sent(),
        AnalyticsPipeline.INPUT_TOPIC));
    if (s.input() == null) {
      try (feed) {
        UserEventFeed.generate(UserEventFeed.Spec.defaults(s.events()).withSeed(s.seed()), (key, value) -> {
          stops.checkStop();
          feed.send(key, value);
        });
      }
      return new InputLoader.Result(s.events(), s.events(), 0, 0);
    }
    OutputFile<DeadLetter> file = s.outputs().deadLetters();
    SinkWriter<DeadLetter> topic = KafkaDeadLetterSink.create(AnalyticsPipeline.DLQ_TOPIC, servers)
        .createWriter(LOADER_CONTEXT);
    try (topic) {
      return new InputLoader(s.input(), maxRecordBytes, d -> {
        topic.write(d);
        if (file != null) {
          file.append(d, d.headers());
        }
      }).load(feed, stops::checkStop);
    }
  }

  /** The loader writes dead letters outside any task. */
  private static final SinkContext LOADER_CONTEXT = new SinkContext() {
    @Override
    public String pipelineName() {
      return AnalyticsPipeline.PIPELINE_NAME;
    }

    @Override
    public String taskId() {
      return InputLoader.OPERATOR;
    }

    @Override
    public Instant currentTimestamp() {
      return null;
    }
  };

  private static Summary process(String servers, Settings s, InputLoader.Result loaded, Duration loadTime,
      ShutdownHandler stops) {
    PipelineConfig config = PipelineConfig.builder().threads(s.threads()).batchSize(1000)
        .commitInterval(Duration.ofSeconds(1)).stateBackend(s.stateBackend()).build();
    // the input was written here with user_id as the record key: windows stay in the source tasks
    AnalyticsPipeline.Builder b = AnalyticsPipeline.builder(servers).config(config).bounded().inputKeyedByUser()
        .groupId(s.groupId()).maxOutOfOrderness(s.maxOutOfOrderness())
        .consumerProperty("max.partition.fetch.bytes", 4 * 1024 * 1024)
        .consumerProperty("fetch.min.bytes", 64 * 1024).consumerProperty("fetch.max.wait.ms", 50);
    FirstResults first = new FirstResults(PREVIEW_RESULTS);
    b.outputSink(first);
    Outputs out = s.outputs();
    if (out.results() != null) {
      b.outputSink(out.results());
    }
    if (out.deadLetters() != null) {
      b.deadLetterSink(out.deadLetters());
    }
    if (out.late() != null) {
      b.lateEvents(out.late());
    }
    AnalyticsPipeline job = b.build();
    long start = System.nanoTime();
    try (PipelineHandle h = job.start()) {
      stops.stage("processing", h::stop, () -> String.format("%,d of %,d events read, %,d windows written",
          job.counters().eventsIn(), loaded.sent(), job.counters().windowsOut()));
      h.awaitTermination();
      stops.checkStop();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    AnalyticsPipeline.Counters c = job.counters();
    HistogramSnapshot snap = job.latency().takeSnapshot();
    List<Duration> pct = new ArrayList<>();
    for (ValueAtPercentile v : snap.percentileValues()) {
      pct.add(snap.count() == 0 ? null : Duration.ofNanos((long) v.value(TimeUnit.NANOSECONDS)));
    }
    return new Summary(loaded.lines(), c.eventsIn(), c.botsFiltered(), loaded.rejected(), c.badRecords(),
        c.lateEvents(), c.windowsOut(), loadTime, elapsed, pct.isEmpty() ? null : pct.get(0),
        pct.size() < 2 ? null : pct.get(1), first.lines());
  }
}
