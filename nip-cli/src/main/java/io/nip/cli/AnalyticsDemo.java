package io.nip.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.nip.errors.DeadLetter;
import io.nip.errors.NipException;
import io.nip.event.Headers;
import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.examples.analytics.UserWindowSummary;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.state.StateBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;

/**
 * The analytics demo: exercise 1 on Kafka. Starts the embedded broker unless servers are given,
 * creates the topics, writes the input (file lines unchanged, or generated events) into
 * {@code user-events} ({@link InputLoader}: lines that cannot be Kafka records become dead letters
 * there, in the dead-letter topic and file), runs {@link AnalyticsPipeline} as a bounded job with a fresh group id on the
 * given state backend, and returns what happened. Under exactly-once the job writes only to Kafka
 * (in its transactions); the result and dead-letter files and the preview of the first results are
 * then read back {@code read_committed} from the topics once the job ended.
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
   * @param guarantee what the output promises; under exactly-once the files are read back from the
   *     committed topics after the job
   * @param backpressure the input buffer, its overflow strategy and the rate limit, already validated
   * @param meterRegistry the registry the pipeline records its meters in ({@code --monitor}), or null for
   *     the pipeline's own
   */
  record Settings(long events, Path input, Outputs<UserWindowSummary> outputs, long seed, int threads,
      String bootstrapServers, Duration maxOutOfOrderness, String groupId, StateBackend stateBackend,
      Guarantee guarantee, BackpressureOptions backpressure, MeterRegistry meterRegistry) {}

  /**
   * What happened.
   *
   * @param linesIn non-empty input lines read, or events generated
   * @param eventsIn records read from {@code user-events} that reached the pipeline (not dropped by a full buffer)
   * @param dropped records of {@code user-events} a full input buffer dropped ({@code --overflow drop-*})
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
  record Summary(long linesIn, long eventsIn, long dropped, long botsFiltered, long refusedAtLoad,
      long badRecords, long lateEvents, long windowsOut, Duration loadTime, Duration elapsed, Duration p50,
      Duration p99, List<String> firstResults) {
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
    return withInput(s.bootstrapServers(), AnalyticsPipeline.OUTPUT_TOPIC, s.input(), s.events(), s.seed(),
        s.outputs().deadLetters(), (servers, loaded, loadTime, stops) -> process(servers, s, loaded, loadTime, stops));
  }

  /** What a demo does with the loaded input topic. */
  @FunctionalInterface
  interface Job<S> {
    S run(String servers, InputLoader.Result loaded, Duration loadTime, ShutdownHandler stops);
  }

  /**
   * The part every demo shares: starts the embedded broker unless servers are given, creates
   * {@code user-events}, the output topic and {@code user-events-dlq}, writes the input (file lines
   * unchanged, or generated events) into {@code user-events}, runs the job and stops the broker.
   * Ctrl-C or SIGTERM stops the current stage.
   *
   * @param bootstrapServers an external cluster, or null for the embedded broker
   * @param outputTopic the demo's results topic
   * @param input a JSON-lines file, or null to generate events
   * @param events how many events to generate
   * @param seed the generator's seed
   * @param deadLetters the dead-letter file, or null
   * @param job what to run over the loaded topic
   * @param <S> what the job returns
   * @return the job's result
   */
  static <S> S withInput(String bootstrapServers, String outputTopic, Path input, long events, long seed,
      OutputFile<DeadLetter> deadLetters, Job<S> job) {
    try (ShutdownHandler stops = ShutdownHandler.install()) {
      stops.stage(bootstrapServers == null ? "starting the embedded broker" : "creating the topics", () -> { },
          () -> "");
      EmbeddedKafka embedded = bootstrapServers == null ? EmbeddedKafka.start() : null;
      try {
        String servers = embedded != null ? embedded.bootstrapServers() : bootstrapServers;
        stops.stage("creating the topics", () -> { }, () -> "");
        int maxRecordBytes = createTopics(servers, outputTopic);
        long t0 = System.nanoTime();
        InputLoader.Result loaded = load(servers, input, events, seed, deadLetters, maxRecordBytes, stops);
        return job.run(servers, loaded, Duration.ofNanos(System.nanoTime() - t0), stops);
      } finally {
        if (embedded != null) {
          embedded.close();
        }
      }
    }
  }

  /** @return the largest record the input topic takes, in bytes (its max.message.bytes, at most the producer's limit) */
  private static int createTopics(String servers, String outputTopic) {
    return KafkaTopics.ensure(servers, List.of(new NewTopic(AnalyticsPipeline.INPUT_TOPIC, 3, (short) 1),
        new NewTopic(outputTopic, 3, (short) 1),
        new NewTopic(AnalyticsPipeline.DLQ_TOPIC, 1, (short) 1)), AnalyticsPipeline.INPUT_TOPIC);
  }

  private static InputLoader.Result load(String servers, Path input, long events, long seed,
      OutputFile<DeadLetter> deadLetters, int maxRecordBytes, ShutdownHandler stops) {
    stops.checkStop();
    UserEventFeed feed = UserEventFeed.open(servers, AnalyticsPipeline.INPUT_TOPIC);
    stops.stage("loading the input", () -> { }, () -> String.format("%,d events written to %s", feed.sent(),
        AnalyticsPipeline.INPUT_TOPIC));
    if (input == null) {
      try (feed) {
        UserEventFeed.generate(UserEventFeed.Spec.defaults(events).withSeed(seed), (key, value) -> {
          stops.checkStop();
          feed.send(key, value);
        });
      }
      return new InputLoader.Result(events, events, 0, 0);
    }
    return InputLoader.loadFile(feed, servers, input, AnalyticsPipeline.INPUT_TOPIC, AnalyticsPipeline.DLQ_TOPIC,
        AnalyticsPipeline.PIPELINE_NAME, maxRecordBytes, deadLetters, stops::checkStop);
  }

  private static Summary process(String servers, Settings s, InputLoader.Result loaded, Duration loadTime,
      ShutdownHandler stops) {
    // the input was written here with user_id as the record key: windows stay in the source tasks
    AnalyticsPipeline.Builder b = AnalyticsPipeline.builder(servers).config(config(s)).bounded().inputKeyedByUser()
        .groupId(s.groupId()).maxOutOfOrderness(s.maxOutOfOrderness())
        .consumerProperty("max.partition.fetch.bytes", 4 * 1024 * 1024)
        .consumerProperty("fetch.min.bytes", 64 * 1024).consumerProperty("fetch.max.wait.ms", 50);
    return execute(b, servers, s, loaded, loadTime, stops);
  }

  /** @return the job's configuration: threads, batch size, state backend, guarantee, registry, commit interval */
  static PipelineConfig config(Settings s) {
    PipelineConfig.Builder cb = PipelineConfig.builder().threads(s.threads()).batchSize(1000)
        .stateBackend(s.stateBackend()).guarantee(s.guarantee());
    if (s.meterRegistry() != null) {
      cb.meterRegistry(s.meterRegistry());
    }
    if (s.guarantee() != Guarantee.EXACTLY_ONCE) {
      cb.commitInterval(Duration.ofSeconds(1)); // exactly-once keeps its 100 ms: results show when they commit
    }
    return cb.build();
  }

  /**
   * Runs the job the builder describes (its source and topics set) once over the loaded input, with
   * the demo's outputs, backpressure and preview, and sums up the run.
   *
   * @param b the job's builder, source and topics set
   * @param servers the Kafka cluster (read back under exactly-once), or null on another platform
   * @param s what to run
   * @param loaded what the load wrote
   * @param loadTime how long the load took
   * @param stops Ctrl-C and SIGTERM
   * @return what happened
   */
  static Summary execute(AnalyticsPipeline.Builder b, String servers, Settings s, InputLoader.Result loaded,
      Duration loadTime, ShutdownHandler stops) {
    boolean exactlyOnce = s.guarantee() == Guarantee.EXACTLY_ONCE;
    s.backpressure().applyTo(b);
    FirstResults first = new FirstResults(PREVIEW_RESULTS);
    Outputs<UserWindowSummary> out = s.outputs();
    Map<TopicPartition, Long> outputFrom = null;
    Map<TopicPartition, Long> dlqFrom = null;
    if (exactlyOnce) {
      // files and the preview come from the committed topics once the job ended: only the Kafka
      // sinks can be part of its transactions
      outputFrom = KafkaTopics.committedEnds(servers, AnalyticsPipeline.OUTPUT_TOPIC);
      dlqFrom = KafkaTopics.committedEnds(servers, AnalyticsPipeline.DLQ_TOPIC);
    } else {
      b.outputSink(first);
      if (out.results() != null) {
        b.outputSink(out.results());
      }
      if (out.deadLetters() != null) {
        b.deadLetterSink(out.deadLetters());
      }
      if (out.late() != null) {
        b.lateEvents(out.late());
      }
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
    long windowsOut = c.windowsOut();
    if (exactlyOnce) {
      windowsOut = readBack(servers, outputFrom, dlqFrom, out, first);
    }
    HistogramSnapshot snap = job.latency().takeSnapshot();
    List<Duration> pct = new ArrayList<>();
    for (ValueAtPercentile v : snap.percentileValues()) {
      pct.add(snap.count() == 0 ? null : Duration.ofNanos((long) v.value(TimeUnit.NANOSECONDS)));
    }
    long dropped = BackpressureOptions.dropped(job.pipeline().config().meterRegistry());
    if (c.eventsIn() + dropped < loaded.sent()) { // e.g. a platform's read that ended before its input did
      throw new NipException(String.format("only %,d of the %,d events written to the input were read back "
          + "(%,d more dropped by a full buffer): the results miss the rest", c.eventsIn(), loaded.sent(), dropped));
    }
    return new Summary(loaded.lines(), c.eventsIn(), dropped, c.botsFiltered(), loaded.rejected(), c.badRecords(),
        c.lateEvents(), windowsOut, loadTime, elapsed, pct.isEmpty() ? null : pct.get(0),
        pct.size() < 2 ? null : pct.get(1), first.lines());
  }

  /**
   * Under exactly-once: reads what the job committed to the output and dead-letter topics
   * ({@code read_committed}, from the offsets taken before it started) into the files and the preview.
   *
   * @return the results read
   */
  private static long readBack(String servers, Map<TopicPartition, Long> outputFrom, Map<TopicPartition, Long> dlqFrom,
      Outputs<UserWindowSummary> out, FirstResults first) {
    long n = KafkaTopics.readCommitted(servers, AnalyticsPipeline.OUTPUT_TOPIC, outputFrom, r -> {
      UserWindowSummary w = UserWindowSummary.SERDE.deserialize(r.value());
      first.add(w);
      if (out.results() != null) {
        out.results().append(w, Headers.EMPTY);
      }
    });
    readBackDeadLetters(servers, dlqFrom, out.deadLetters());
    return n;
  }

  /**
   * Under exactly-once: appends the dead letters the job committed to {@code user-events-dlq} (from
   * the offsets taken before it started) to the dead-letter file.
   *
   * @param servers the cluster
   * @param dlqFrom the topic's committed ends before the job
   * @param file the dead-letter file, or null (then nothing is read)
   */
  static void readBackDeadLetters(String servers, Map<TopicPartition, Long> dlqFrom, OutputFile<DeadLetter> file) {
    if (file != null) {
      KafkaTopics.readCommitted(servers, AnalyticsPipeline.DLQ_TOPIC, dlqFrom, r -> {
        DeadLetter d = KafkaTopics.deadLetterOf(r);
        file.append(d, d.headers());
      });
    }
  }
}
