package io.nip.examples.analytics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nip.backpressure.BufferManager;
import io.nip.backpressure.RateLimiter;
import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.kafka.KafkaDeadLetterSink;
import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.pipeline.WindowedStream.WindowOutput;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.time.WatermarkStrategy;
import io.nip.window.Aggregate;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowAggregator;
import io.nip.window.WindowResult;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The tutorial's exercise 1, "Build a Real-Time Analytics Pipeline", on Kafka: read
 * {@code user-events}, parse strictly ({@link AnalyticsEventSerde}; bad records to the dead-letter
 * topic {@code user-events-dlq} with the reason in headers), drop bots ({@code user_id} starting
 * with {@code bot_}), key by user, cut 5-minute tumbling event-time windows (epoch aligned,
 * {@code [start, end)}), count events, distinct event types and the sum of
 * {@code properties.value}, and write one final result per user and window
 * ({@link UserWindowSummary}, key {@code user_id}) to {@code analytics-output}.
 *
 * <pre>{@code
 * AnalyticsPipeline job = AnalyticsPipeline.builder("localhost:9092").groupId("analytics").bounded().build();
 * job.start().awaitTermination();
 * }</pre>
 *
 * <p>Windows fire once, when the watermark (largest event time seen per partition minus the
 * out-of-orderness bound) passes their end; allowed lateness is zero. An event behind the watermark
 * for its window is counted in {@link Counters#lateEvents()} and written to the late-events sink
 * when one is given. Backpressure: by default a full keyed inbox stops the source task, and the Kafka
 * source pauses a partition whose buffer is full; {@link Builder#backpressure} sets a bounded input
 * buffer with an overflow strategy and {@link Builder#rateLimit} a rate limit. Monitoring: {@link Counters}, the pipeline's
 * {@code nip.*} metrics (consumer lag, errors, late events) and the timer {@value #LATENCY_METRIC}.
 *
 * <p>Delivery is at-least-once by default: offsets are committed only up to records whose windows
 * have fired and reached Kafka, so a restarted job replays the records of windows that were open,
 * and a window may be written again. With {@link Builder#guarantee(Guarantee)
 * guarantee(EXACTLY_ONCE)} the results, dead letters, state changes and input offsets of a
 * checkpoint commit in one Kafka transaction, so a reader with {@code isolation.level=read_committed}
 * sees every window exactly once; only the Kafka sinks can take part in that transaction, so the
 * builder then refuses file and extra sinks ({@link Builder#build()}).
 */
public final class AnalyticsPipeline {
  /** The pipeline's name, as in the tutorial. */
  public static final String PIPELINE_NAME = "analytics_pipeline";
  /** Default input topic. */
  public static final String INPUT_TOPIC = "user-events";
  /** Default output topic. */
  public static final String OUTPUT_TOPIC = "analytics-output";
  /** Default dead-letter topic. */
  public static final String DLQ_TOPIC = "user-events-dlq";
  /** Window length. */
  public static final Duration WINDOW = Duration.ofMinutes(5);
  /** Default bound on event-time disorder. */
  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(30);
  /**
   * Timer of the processing latency: from the moment a record was parsed on its source task to
   * the moment its window accumulator was updated on the keyed task (exchange hand-over and queueing
   * included, Kafka fetch and producer time excluded); with {@link Builder#inputKeyedByUser()} the
   * update happens in the source task itself.
   */
  public static final String LATENCY_METRIC = "nip.analytics.latency";
  /** One event in this many (a power of two) has its latency recorded. */
  static final int LATENCY_SAMPLE = 8;

  private final Pipeline pipeline;
  private final Counters counters;
  private final Timer latency;

  private AnalyticsPipeline(Pipeline pipeline, Counters counters, Timer latency) {
    this.pipeline = pipeline;
    this.counters = counters;
    this.latency = latency;
  }

  /**
   * @param bootstrapServers the Kafka cluster, "host:port[,host:port]"
   * @return a builder with the tutorial's topics
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
  }

  /** @return the pipeline, not started */
  public Pipeline pipeline() {
    return pipeline;
  }

  /** @return the live counts of this job */
  public Counters counters() {
    return counters;
  }

  /** @return the processing-latency timer ({@value #LATENCY_METRIC}) in the pipeline's registry */
  public Timer latency() {
    return latency;
  }

  /** @return the handle of the started pipeline */
  public PipelineHandle start() {
    return pipeline.start();
  }

  /**
   * Runs the exercise once over what the input topic holds now ({@link Builder#bounded()}), writes
   * the windows also to {@code windows.jsonl} and bad records to {@code bad.jsonl}, and prints the
   * number of windows written.
   *
   * <pre>{@code
   * java -cp nip-cli/target/nip.jar io.nip.examples.analytics.AnalyticsPipeline localhost:9092
   * }</pre>
   *
   * @param args optional: the Kafka cluster, "host:port[,host:port]" (default localhost:9092)
   */
  public static void main(String[] args) {
    String servers = args.length > 0 ? args[0] : "localhost:9092";
    // tag::readme[]
    AnalyticsPipeline job = AnalyticsPipeline.builder(servers).groupId("analytics").bounded()
        .outputFile(Path.of("windows.jsonl")).deadLetterFile(Path.of("bad.jsonl")).build();
    job.start().awaitTermination();
    long windows = job.counters().windowsOut();
    // end::readme[]
    System.out.printf("windows=%d bad=%d late=%d%n", windows, job.counters().badRecords(),
        job.counters().lateEvents());
  }

  /**
   * The exercise's combination of aggregates: {@code event_count}, {@code unique_event_types},
   * {@code total_value}, and a probe that records the processing latency. The total is an exact
   * decimal sum ({@link Aggregates#sumDecimalOfDoubles}, no boxing per event) of the values as written in the JSON, rounded to a
   * double once at the end: the same in every arrival order (0.1 + 0.2 + 0.3 is 0.6, never
   * 0.6000000000000001), and written as a plain JSON number as before.
   *
   * @param latency where the latency of each window update is recorded
   * @return the aggregator giving one {@link UserWindowSummary} per user and window
   */
  public static WindowAggregator<AnalyticsEvent, UserWindowSummary> aggregator(Timer latency) {
    Objects.requireNonNull(latency, "latency");
    return WindowAggregator.<AnalyticsEvent>create()
        .aggregate("event_count", Aggregates.count())
        .aggregate("unique_event_types", Aggregates.countDistinct(AnalyticsEvent::eventType))
        .aggregate("total_value", Aggregates.sumDecimalOfDoubles(AnalyticsEvent::value))
        .aggregate("latency", latencyProbe(latency))
        .combined((user, start, end, a) -> new UserWindowSummary((String) user, start, end,
            (Long) a.get("event_count"), (Long) a.get("unique_event_types"),
            ((BigDecimal) a.get("total_value")).doubleValue()));
  }

  /**
   * Records the latency of one event in {@value #LATENCY_SAMPLE} (chosen by the low bits of its
   * parse time): plenty for p50/p99 over a run, without a histogram update per event.
   */
  private static Aggregate<AnalyticsEvent, Boolean, Boolean> latencyProbe(Timer latency) {
    return Aggregate.<AnalyticsEvent, Boolean, Boolean>of(() -> Boolean.TRUE, (acc, e) -> {
      if ((e.parsedAtNanos() & (LATENCY_SAMPLE - 1)) == 0) {
        latency.record(System.nanoTime() - e.parsedAtNanos(), TimeUnit.NANOSECONDS);
      }
      return acc;
    }, (a, b) -> a, acc -> acc).withAccumulatorSerde(Serdes.json(Boolean.class));
  }

  /** Live counts of a job, safe to read while it runs. */
  public static final class Counters {
    private final LongAdder parsed = new LongAdder();
    private final LongAdder bots = new LongAdder();
    private final LongAdder bad = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final LongAdder windows = new LongAdder();
    /** Under exactly-once, dead letters and late events are counted by the pipeline's meters instead. */
    private LongSupplier meteredBad = () -> 0;
    private LongSupplier meteredLate = () -> 0;

    /** @return records read from the input (parsed and bad) */
    public long eventsIn() {
      return parsed.sum() + badRecords();
    }

    /** @return records that parsed */
    public long eventsParsed() {
      return parsed.sum();
    }

    /** @return events of {@code bot_*} users, dropped */
    public long botsFiltered() {
      return bots.sum();
    }

    /** @return records sent to the dead-letter path (bad input) */
    public long badRecords() {
      return bad.sum() + meteredBad.getAsLong();
    }

    /** @return events behind the watermark for their window, not counted in any window */
    public long lateEvents() {
      return late.sum() + meteredLate.getAsLong();
    }

    /** Counts from the meters {@code nip.errors} (dead-lettered) and {@code nip.window.late.events}. */
    private void countFromMeters(MeterRegistry registry) {
      meteredBad = () -> sum(registry.find("nip.errors").tag("pipeline", PIPELINE_NAME)
          .tag("outcome", "dead_lettered").counters());
      meteredLate = () -> sum(registry.find("nip.window.late.events").tag("pipeline", PIPELINE_NAME).counters());
    }

    private static long sum(java.util.Collection<Counter> counters) {
      double total = 0;
      for (Counter c : counters) {
        total += c.count();
      }
      return (long) total;
    }

    /** @return window results written */
    public long windowsOut() {
      return windows.sum();
    }
  }

  /** Settings of an {@link AnalyticsPipeline}; {@code groupId} is required. */
  public static final class Builder {
    private final String servers;
    private String inputTopic = INPUT_TOPIC;
    private String outputTopic = OUTPUT_TOPIC;
    private String dlqTopic = DLQ_TOPIC;
    private String groupId;
    private boolean bounded;
    private boolean inputKeyedByUser;
    private Duration maxOutOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
    private PipelineConfig config = PipelineConfig.defaults();
    private Path outputFile;
    private Path deadLetterFile;
    private Sink<? super AnalyticsEvent> lateSink;
    private final List<Sink<? super UserWindowSummary>> outputSinks = new ArrayList<>();
    private final List<Sink<? super DeadLetter>> deadLetterSinks = new ArrayList<>();
    private final Map<String, Object> consumerProps = new HashMap<>();
    private final Map<String, Object> producerProps = new HashMap<>();
    private String instanceId;
    private Guarantee guarantee;
    private BufferManager buffer;
    private RateLimiter rateLimit;

    private Builder(String servers) {
      this.servers = servers;
    }

    /**
     * @param topic the input topic (default {@value #INPUT_TOPIC})
     * @return this
     */
    public Builder inputTopic(String topic) {
      this.inputTopic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /**
     * @param topic the results topic (default {@value #OUTPUT_TOPIC})
     * @return this
     */
    public Builder outputTopic(String topic) {
      this.outputTopic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /**
     * @param topic the dead-letter topic (default {@value #DLQ_TOPIC})
     * @return this
     */
    public Builder deadLetterTopic(String topic) {
      this.dlqTopic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /**
     * @param id the consumer group; instances with the same id share the partitions
     * @return this
     */
    public Builder groupId(String id) {
      this.groupId = Objects.requireNonNull(id, "groupId");
      return this;
    }

    /** Reads up to the end offsets taken at start, then closes every window and completes. @return this */
    public Builder bounded() {
      this.bounded = true;
      return this;
    }

    /**
     * Declares that the input topic's records carry {@code user_id} as their record key (as
     * {@code nip demo analytics} and {@code nip bench} write them), so that all of a user's events
     * are in one partition. Windows then run in the source partitions' tasks, without the exchange
     * between tasks, as Kafka Streams' {@code groupByKey} does on a keyed topic
     * ({@link io.nip.pipeline.Stream#keyByPartitioned}). Do not declare it for input keyed otherwise:
     * a user whose events are spread over partitions would get one partial result per partition
     * and window.
     *
     * @return this
     */
    public Builder inputKeyedByUser() {
      this.inputKeyedByUser = true;
      return this;
    }

    /**
     * @param bound how far events may come out of event-time order (default 30 s)
     * @return this
     */
    public Builder maxOutOfOrderness(Duration bound) {
      Objects.requireNonNull(bound, "maxOutOfOrderness");
      if (bound.isNegative()) {
        throw ConfigurationException.invalid("maxOutOfOrderness", bound, "must not be negative");
      }
      this.maxOutOfOrderness = bound;
      return this;
    }

    /**
     * @param base threads, batch size, commit interval, meter registry ...; its error policy is
     *     replaced by the dead-letter path
     * @return this
     */
    public Builder config(PipelineConfig base) {
      this.config = Objects.requireNonNull(base, "config");
      return this;
    }

    /**
     * @param file also write every result here as JSON lines
     * @return this
     */
    public Builder outputFile(Path file) {
      this.outputFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * @param file also write every dead letter here as JSON lines ({@link DeadLetterJson})
     * @return this
     */
    public Builder deadLetterFile(Path file) {
      this.deadLetterFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Also writes every result to {@code sink}, besides the output topic; may be called more than
     * once. The sink's writers run on the pipeline's task threads, concurrently.
     *
     * @param sink e.g. a file the caller opened, or a preview of the first results
     * @return this
     */
    public Builder outputSink(Sink<? super UserWindowSummary> sink) {
      outputSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * Also writes every dead letter to {@code sink}, besides the dead-letter topic; may be called
     * more than once. The sink's writers run on the pipeline's task threads, concurrently.
     *
     * @param sink e.g. a dead-letter file the caller opened ({@link DeadLetterJson} lines)
     * @return this
     */
    public Builder deadLetterSink(Sink<? super DeadLetter> sink) {
      deadLetterSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * @param sink where late events go, besides being counted; during its writer's {@code write},
     *     {@code SinkContext.currentHeaders()} holds the event's record headers (e.g.
     *     {@value UserEventFeed#LINE_HEADER})
     * @return this
     */
    public Builder lateEvents(Sink<? super AnalyticsEvent> sink) {
      this.lateSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * @param key a Kafka consumer setting
     * @param value its value
     * @return this
     */
    public Builder consumerProperty(String key, Object value) {
      consumerProps.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Names this running instance for the state changelog's transactional producer (see
     * {@code KafkaSource.Builder.instanceId}): instances of one group that run at the same time need
     * distinct ids, a restarted instance keeps its id. Default: the host name.
     *
     * @param id letters, digits, '.', '_', '-'
     * @return this
     */
    public Builder instanceId(String id) {
      this.instanceId = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * What the output promises after a failure (default: the config's, {@link Guarantee#AT_LEAST_ONCE}
     * unless set there). Under {@link Guarantee#EXACTLY_ONCE} the results, dead letters, state changes
     * and offsets of each checkpoint commit in one Kafka transaction (100 ms checkpoints unless the
     * config sets {@code commitInterval}); readers of the output and dead-letter topics must read
     * with {@code isolation.level=read_committed}. Only the Kafka sinks take part, so {@link
     * #outputFile}, {@link #deadLetterFile}, {@link #outputSink}, {@link #deadLetterSink} and {@link
     * #lateEvents} are refused by {@link #build()} under it; dead letters and late events are then
     * counted from the pipeline's meters ({@code nip.errors}, {@code nip.window.late.events}).
     *
     * <pre>{@code
     * AnalyticsPipeline.builder(servers).groupId("analytics").guarantee(Guarantee.EXACTLY_ONCE).build();
     * }</pre>
     *
     * @param g the guarantee
     * @return this
     */
    public Builder guarantee(Guarantee g) {
      this.guarantee = Objects.requireNonNull(g, "guarantee");
      return this;
    }

    /**
     * Exercise 1's requirement 6, backpressure: the bounded buffer between each input partition's
     * fetch and its task, and what a full buffer does. Without it the job blocks (a full keyed
     * inbox stops the source task, the Kafka source pauses a partition whose fetch buffer is full):
     * nothing is lost. {@code DROP_OLDEST} / {@code DROP_NEWEST} keep reading at the topic's pace
     * when the windows fall behind and drop what does not fit — counted in
     * {@code nip.buffer.dropped}, logged, and dead-lettered if the buffer manager names a sink; the
     * dropped records' offsets are committed (their events are missing from the windows).
     *
     * <pre>{@code
     * builder.backpressure(BufferManager.of(10_000, BackpressureStrategy.BLOCK))
     *     .rateLimit(new RateLimiter(50_000, 5_000));
     * }</pre>
     *
     * @param manager buffer size per partition, overflow strategy, optional dead letters and alerts
     * @return this
     */
    public Builder backpressure(BufferManager manager) {
      this.buffer = Objects.requireNonNull(manager, "backpressure");
      return this;
    }

    /**
     * Caps the events per second that reach the windows (bots, dropped first, do not count); events
     * wait in the input buffer for their token and the source pauses, or, under a {@code DROP_*}
     * {@link #backpressure} strategy, the buffer sheds what does not fit.
     *
     * @param limiter the rate (events/s) and burst
     * @return this
     */
    public Builder rateLimit(RateLimiter limiter) {
      this.rateLimit = Objects.requireNonNull(limiter, "rateLimit");
      return this;
    }

    /**
     * @param key a Kafka producer setting (results and dead letters)
     * @param value its value
     * @return this
     */
    public Builder producerProperty(String key, Object value) {
      producerProps.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * @return the job, not started
     * @throws ConfigurationException without a group id, or under {@link Guarantee#EXACTLY_ONCE}
     *     with a file or extra sink (it could not be part of the Kafka transaction)
     */
    public AnalyticsPipeline build() {
      if (groupId == null) {
        throw new ConfigurationException("groupId", "is required");
      }
      PipelineConfig.Builder cb = config.toBuilder().maxOutOfOrderness(maxOutOfOrderness);
      if (guarantee != null) {
        cb.guarantee(guarantee);
      }
      if (buffer != null) {
        cb.bufferManager(buffer);
      }
      boolean exactlyOnce = cb.build().guarantee() == Guarantee.EXACTLY_ONCE;
      if (exactlyOnce) {
        refuseNonTransactionalSinks();
      }
      Counters counters = new Counters();
      PipelineConfig cfg = cb.errorPolicy(ErrorPolicy.deadLetter(exactlyOnce
          ? KafkaDeadLetterSink.create(dlqTopic, producerConfig()) : deadLetters(counters))).build();
      if (exactlyOnce) {
        counters.countFromMeters(cfg.meterRegistry());
      }
      Timer latency = Timer.builder(LATENCY_METRIC)
          .description("from parsing a record to updating its window")
          .publishPercentiles(0.5, 0.99).distributionStatisticExpiry(Duration.ofDays(1))
          .distributionStatisticBufferLength(1)
          .tag("pipeline", PIPELINE_NAME).register(cfg.meterRegistry());
      Pipeline p = Pipeline.named(PIPELINE_NAME, cfg);

      KafkaSource.Builder<AnalyticsEvent> source = KafkaSource.builder(inputTopic, new AnalyticsEventSerde())
          .bootstrapServers(servers).groupId(groupId).offsetReset(OffsetReset.EARLIEST)
          .consumerProperties(consumerProps);
      if (bounded) {
        source.bounded();
      }
      if (instanceId != null) {
        source.instanceId(instanceId);
      }
      Stream<AnalyticsEvent> users = p.from(source.build(),
              WatermarkStrategy.<AnalyticsEvent>boundedOutOfOrderness(maxOutOfOrderness)
                  .withTimestamps(AnalyticsEvent::eventTime))
          .peek(e -> counters.parsed.increment(), Op.named("count-in"))
          .filter(e -> {
            if (e.isBot()) {
              counters.bots.increment();
              return false;
            }
            return true;
          }, Op.named("drop-bots"));
      if (rateLimit != null) {
        users = users.rateLimit(rateLimit, Op.named("rate-limit"));
      }
      WindowOutput<String, UserWindowSummary, AnalyticsEvent> windows = (inputKeyedByUser
              ? users.keyByPartitioned(AnalyticsEvent::userId) : users.keyBy(AnalyticsEvent::userId))
          .window(TumblingWindow.of(WINDOW))
          .allowedLateness(Duration.ZERO)
          .aggregate(aggregator(latency), Op.named("user-windows"));
      Stream<UserWindowSummary> results = windows
          .filter(r -> r.firing() == WindowResult.Firing.ON_TIME, Op.named("final-only"))
          .map(WindowResult::value, Op.named("summary"))
          .peek(s -> counters.windows.increment(), Op.named("count-out"));
      results.to(KafkaSink.builder(outputTopic, UserWindowSummary.SERDE).bootstrapServers(servers)
          .key(UserWindowSummary::userId).producerProperties(producerProps).build());
      if (outputFile != null) {
        results.to(Sinks.jsonLines("output-file", outputFile, UserWindowSummary.SERDE));
      }
      for (Sink<? super UserWindowSummary> sink : outputSinks) {
        results.to(sink);
      }
      if (!exactlyOnce) { // under exactly-once late events are only counted, by the window's meter
        Stream<AnalyticsEvent> late = windows.lateEvents().peek(e -> counters.late.increment(), Op.named("count-late"));
        late.to(lateSink != null ? lateSink : Sinks.forEach("late-events", e -> { }));
      }
      return new AnalyticsPipeline(p, counters, latency);
    }

    private void refuseNonTransactionalSinks() {
      String why = "is not a Kafka sink and cannot join the Kafka transaction of EXACTLY_ONCE; read the topic with "
          + "isolation.level=read_committed instead";
      if (outputFile != null) {
        throw ConfigurationException.invalid("outputFile", outputFile, why);
      }
      if (deadLetterFile != null) {
        throw ConfigurationException.invalid("deadLetterFile", deadLetterFile, why);
      }
      if (!outputSinks.isEmpty()) {
        throw ConfigurationException.invalid("outputSink", outputSinks.get(0).name(), why);
      }
      if (!deadLetterSinks.isEmpty()) {
        throw ConfigurationException.invalid("deadLetterSink", deadLetterSinks.get(0).name(), why);
      }
      if (lateSink != null) {
        throw ConfigurationException.invalid("lateEvents", lateSink.name(), why);
      }
    }

    private Map<String, Object> producerConfig() {
      Map<String, Object> props = new HashMap<>(producerProps);
      props.put("bootstrap.servers", servers);
      return props;
    }

    private Sink<DeadLetter> deadLetters(Counters counters) {
      List<Sink<? super DeadLetter>> sinks = new ArrayList<>();
      sinks.add(KafkaDeadLetterSink.create(dlqTopic, producerConfig()));
      if (deadLetterFile != null) {
        sinks.add(Sinks.jsonLines("dlq-file", deadLetterFile, new DeadLetterJson()));
      }
      sinks.addAll(deadLetterSinks);
      sinks.add(Sinks.forEach("dlq-count", d -> counters.bad.increment()));
      return new FanOutSink<>("dead-letters", sinks);
    }
  }
}
