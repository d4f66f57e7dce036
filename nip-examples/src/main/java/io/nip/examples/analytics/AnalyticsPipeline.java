package io.nip.examples.analytics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nip.backpressure.BufferManager;
import io.nip.backpressure.RateLimiter;
import io.nip.errors.ConfigurationException;
import io.nip.examples.KafkaJob;
import io.nip.examples.KafkaJobBuilder;
import io.nip.examples.StreamingPlatform;
import io.nip.errors.ErrorPolicy;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

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
 *
 * <p>{@link #builder(StreamingPlatform)} builds the same steps over another platform's source and
 * sinks (Kinesis, Pub/Sub), at-least-once.
 */
public final class AnalyticsPipeline extends KafkaJob<AnalyticsPipeline.Counters> {
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
  /** The bot filter's operator name (its meters' {@code operator} tag). */
  public static final String BOT_FILTER = "drop-bots";
  /** One event in this many (a power of two) has its latency recorded. */
  static final int LATENCY_SAMPLE = 8;

  private final Timer latency;

  private AnalyticsPipeline(Pipeline pipeline, Counters counters, Timer latency) {
    super(pipeline, counters);
    this.latency = latency;
  }

  /**
   * @param bootstrapServers the Kafka cluster, "host:port[,host:port]"
   * @return a builder with the tutorial's topics
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
  }

  /**
   * The same job on another platform: its input from {@code platform}'s source of
   * {@value #INPUT_TOPIC}, results to its {@value #OUTPUT_TOPIC} and dead letters to its
   * {@value #DLQ_TOPIC} (streams, topics or subscriptions of the platform), at-least-once; no group
   * id is needed.
   *
   * <pre>{@code
   * AnalyticsPipeline job = AnalyticsPipeline.builder(platform).bounded().inputKeyedByUser().build();
   * }</pre>
   *
   * @param platform where the job reads and writes
   * @return a builder with the tutorial's stream names
   */
  public static Builder builder(StreamingPlatform platform) {
    return new Builder(Objects.requireNonNull(platform, "platform"));
  }

  /** @return the processing-latency timer ({@value #LATENCY_METRIC}) in the pipeline's registry */
  public Timer latency() {
    return latency;
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
      meteredBad = deadLettered(registry, PIPELINE_NAME);
      meteredLate = KafkaJob.lateEvents(registry, PIPELINE_NAME);
    }

    /** @return window results written */
    public long windowsOut() {
      return windows.sum();
    }
  }

  /**
   * Settings of an {@link AnalyticsPipeline}; {@code groupId} is required. Defaults: topics
   * {@value #INPUT_TOPIC}, {@value #OUTPUT_TOPIC}, {@value #DLQ_TOPIC}, watermark bound 30 s. Under
   * {@link #guarantee(Guarantee) guarantee(EXACTLY_ONCE)} dead letters and late events are counted
   * from the pipeline's meters ({@code nip.errors}, {@code nip.window.late.events}) and
   * {@link #lateEvents} is refused as well.
   */
  public static final class Builder extends KafkaJobBuilder<Builder, UserWindowSummary> {
    private boolean inputKeyedByUser;
    private Sink<? super AnalyticsEvent> lateSink;
    private BufferManager buffer;
    private RateLimiter rateLimit;
    private UnaryOperator<Stream<AnalyticsEvent>> afterParse = UnaryOperator.identity();
    private BiFunction<Stream<AnalyticsEvent>, Predicate<AnalyticsEvent>, Stream<AnalyticsEvent>> botFilter =
        (events, keep) -> events.filter(keep, Op.named(BOT_FILTER));
    private boolean validateSchema;

    private Builder(String servers) {
      super(servers, INPUT_TOPIC, OUTPUT_TOPIC, DLQ_TOPIC, DEFAULT_OUT_OF_ORDERNESS);
    }

    private Builder(StreamingPlatform platform) {
      super(platform, INPUT_TOPIC, OUTPUT_TOPIC, DLQ_TOPIC, DEFAULT_OUT_OF_ORDERNESS);
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
     * Inserts steps of the application's own between parsing and the bot filter, e.g. a traced step
     * (nip-monitoring's {@code TracingManager}) or a metric of its own; they see every parsed event,
     * bots included, and must keep its event time.
     *
     * <pre>{@code
     * builder.afterParse(events -> tracing.trace("process_event").map(events, e -> e));
     * }</pre>
     *
     * @param steps the parsed events in, the events for the windows out
     * @return this
     */
    public Builder afterParse(UnaryOperator<Stream<AnalyticsEvent>> steps) {
      this.afterParse = Objects.requireNonNull(steps, "afterParse");
      return this;
    }

    /**
     * Runs the bot filter as a step of the application's own instead of a plain {@code filter}, e.g.
     * the filter traced with nip-monitoring's {@code TracingManager}, so that a span covers each
     * event's processing without a step added for it. The step must keep exactly the events for
     * which {@code keep} is true (it counts the bots it rejects), unchanged, with their event times;
     * the default is {@code events.filter(keep, Op.named("drop-bots"))}.
     *
     * <pre>{@code
     * builder.botFilter((events, keep) ->
     *     tracing.trace("process_event").filter(events, keep, Op.named("drop-bots")));
     * }</pre>
     *
     * @param step the events and the bot test in, the users' events out
     * @return this
     * @throws NullPointerException when {@code step} is null
     */
    public Builder botFilter(
        BiFunction<Stream<AnalyticsEvent>, Predicate<AnalyticsEvent>, Stream<AnalyticsEvent>> step) {
      this.botFilter = Objects.requireNonNull(step, "botFilter");
      return this;
    }

    /**
     * Checks each input record against exercise 1's JSON Schema ({@link AnalyticsSchema}) before the
     * strict parser reads it; a record that breaks it is a dead letter naming the violated path and
     * keyword. The parser alone accepts and rejects the same records (the schema is the contract
     * written down, for producers and tools); this costs a second parse per record.
     *
     * @return this
     */
    public Builder validateSchema() {
      this.validateSchema = true;
      return this;
    }

    /**
     * @return the job, not started
     * @throws ConfigurationException without a group id, or under {@link Guarantee#EXACTLY_ONCE}
     *     with a file or extra sink (it could not be part of the Kafka transaction)
     */
    public AnalyticsPipeline build() {
      PipelineConfig.Builder cb = configBuilder();
      if (buffer != null) {
        cb.bufferManager(buffer);
      }
      boolean exactlyOnce = cb.build().guarantee() == Guarantee.EXACTLY_ONCE;
      if (exactlyOnce) {
        refuseNonTransactionalSinks(lateSink);
      }
      Counters counters = new Counters();
      PipelineConfig cfg = cb.errorPolicy(ErrorPolicy.deadLetter(deadLetters(exactlyOnce,
          Sinks.forEach("dlq-count", d -> counters.bad.increment())))).build();
      if (exactlyOnce) {
        counters.countFromMeters(cfg.meterRegistry());
      }
      Timer latency = Timer.builder(LATENCY_METRIC)
          .description("from parsing a record to updating its window")
          .publishPercentiles(0.5, 0.99).distributionStatisticExpiry(Duration.ofDays(1))
          .distributionStatisticBufferLength(1)
          .tag("pipeline", PIPELINE_NAME).register(cfg.meterRegistry());
      Pipeline p = Pipeline.named(PIPELINE_NAME, cfg);
      Stream<AnalyticsEvent> parsed = p.from(source(validateSchema ? AnalyticsSchema.validatingSerde() : new AnalyticsEventSerde()),
              WatermarkStrategy.<AnalyticsEvent>boundedOutOfOrderness(maxOutOfOrderness)
                  .withTimestamps(AnalyticsEvent::eventTime))
          .peek(e -> counters.parsed.increment(), Op.named("count-in"));
      Predicate<AnalyticsEvent> notBot = e -> {
        if (e.isBot()) {
          counters.bots.increment();
          return false;
        }
        return true;
      };
      Stream<AnalyticsEvent> users = Objects.requireNonNull(botFilter.apply(
          Objects.requireNonNull(afterParse.apply(parsed), "afterParse returned null"), notBot),
          "botFilter returned null");
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
      writeResults(results, UserWindowSummary.SERDE, UserWindowSummary::userId);
      if (!exactlyOnce) { // under exactly-once late events are only counted, by the window's meter
        Stream<AnalyticsEvent> late = windows.lateEvents().peek(e -> counters.late.increment(), Op.named("count-late"));
        late.to(lateSink != null ? lateSink : Sinks.forEach("late-events", e -> { }));
      }
      return new AnalyticsPipeline(p, counters, latency);
    }
  }
}
