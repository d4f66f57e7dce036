package io.nip.cli;

import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.state.StateBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The analytics demo: exercise 1 on Kafka. Starts the embedded broker unless servers are given,
 * creates the topics, writes the input (file lines unchanged, or generated events) into
 * {@code user-events}, runs {@link AnalyticsPipeline} as a bounded job with a fresh group id on the
 * given state backend, and returns what happened.
 */
final class AnalyticsDemo {

  /**
   * What to run.
   *
   * @param events generated events (ignored with an input file)
   * @param input a JSON-lines file of user events, or null for generated events
   * @param output where results also go as JSON lines, or null
   * @param dlqOutput where dead letters also go as JSON lines, or null
   * @param seed generator seed
   * @param threads worker threads
   * @param bootstrapServers an external cluster, or null for the embedded broker
   * @param maxOutOfOrderness the watermark bound
   * @param groupId the job's consumer group, fresh for each run (also the application id of its changelogs)
   * @param stateBackend where the windows' state lives; the caller opens and closes it
   */
  record Settings(long events, Path input, Path output, Path dlqOutput, long seed, int threads,
      String bootstrapServers, Duration maxOutOfOrderness, String groupId, StateBackend stateBackend) {}

  /**
   * What happened.
   *
   * @param eventsIn records read from {@code user-events}
   * @param botsFiltered bot events dropped
   * @param badLines records sent to the dead-letter topic
   * @param lateEvents events behind the watermark for their window
   * @param windowsOut results written to {@code analytics-output}
   * @param loadTime time to write the input topic
   * @param elapsed time of the pipeline run, from start to completion
   * @param p50 median processing latency (parse to window update)
   * @param p99 99th percentile of that latency
   */
  record Summary(long eventsIn, long botsFiltered, long badLines, long lateEvents, long windowsOut,
      Duration loadTime, Duration elapsed, Duration p50, Duration p99) {
    double eventsPerSecond() {
      double s = elapsed.toNanos() / 1e9;
      return s <= 0 ? 0 : eventsIn / s;
    }
  }

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
        createTopics(servers);
        long t0 = System.nanoTime();
        long loaded = load(servers, s, stops);
        Duration loadTime = Duration.ofNanos(System.nanoTime() - t0);
        return process(servers, s, loadTime, stops, loaded);
      } finally {
        if (embedded != null) {
          embedded.close();
        }
      }
    }
  }

  private static void createTopics(String servers) {
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
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", ex);
    } catch (ExecutionException ex) {
      throw new IllegalStateException("the topics on " + servers + " are not ready: " + ex.getCause().getMessage(), ex);
    } catch (java.util.concurrent.TimeoutException ex) {
      throw new IllegalStateException("timed out creating topics on " + servers, ex);
    }
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

  /** @return the records written */
  private static long load(String servers, Settings s, ShutdownHandler stops) {
    try (UserEventFeed feed = UserEventFeed.open(servers, AnalyticsPipeline.INPUT_TOPIC)) {
      stops.checkStop();
      stops.stage("loading the input", () -> { }, () -> String.format("%,d events written to %s", feed.sent(),
          AnalyticsPipeline.INPUT_TOPIC));
      if (s.input() == null) {
        UserEventFeed.generate(UserEventFeed.Spec.defaults(s.events()).withSeed(s.seed()), (key, value) -> {
          stops.checkStop();
          feed.send(key, value);
        });
        return feed.sent();
      }
      try (BufferedReader r = Files.newBufferedReader(s.input(), StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          stops.checkStop();
          if (!line.isEmpty()) {
            feed.sendLine(line.getBytes(StandardCharsets.UTF_8));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --input " + s.input() + ": " + e.getMessage(), e);
      }
      return feed.sent();
    }
  }

  private static Summary process(String servers, Settings s, Duration loadTime, ShutdownHandler stops, long loaded) {
    PipelineConfig config = PipelineConfig.builder().threads(s.threads()).batchSize(1000)
        .commitInterval(Duration.ofSeconds(1)).stateBackend(s.stateBackend()).build();
    // the input was written here with user_id as the record key: windows stay in the source tasks
    AnalyticsPipeline.Builder b = AnalyticsPipeline.builder(servers).config(config).bounded().inputKeyedByUser()
        .groupId(s.groupId()).maxOutOfOrderness(s.maxOutOfOrderness())
        .consumerProperty("max.partition.fetch.bytes", 4 * 1024 * 1024)
        .consumerProperty("fetch.min.bytes", 64 * 1024).consumerProperty("fetch.max.wait.ms", 50);
    if (s.output() != null) {
      b.outputFile(s.output());
    }
    if (s.dlqOutput() != null) {
      b.deadLetterFile(s.dlqOutput());
    }
    AnalyticsPipeline job = b.build();
    long start = System.nanoTime();
    try (PipelineHandle h = job.start()) {
      stops.stage("processing", h::stop, () -> String.format("%,d of %,d events read, %,d windows written",
          job.counters().eventsIn(), loaded, job.counters().windowsOut()));
      h.awaitTermination();
      stops.checkStop();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    AnalyticsPipeline.Counters c = job.counters();
    List<Duration> pct = new ArrayList<>();
    for (ValueAtPercentile v : job.latency().takeSnapshot().percentileValues()) {
      pct.add(Duration.ofNanos((long) v.value(TimeUnit.NANOSECONDS)));
    }
    return new Summary(c.eventsIn(), c.botsFiltered(), c.badRecords(), c.lateEvents(), c.windowsOut(), loadTime,
        elapsed, pct.isEmpty() ? Duration.ZERO : pct.get(0), pct.size() < 2 ? Duration.ZERO : pct.get(1));
  }
}
