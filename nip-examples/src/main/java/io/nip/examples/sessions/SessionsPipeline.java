package io.nip.examples.sessions;

import io.micrometer.core.instrument.MeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import io.nip.examples.KafkaJob;
import io.nip.examples.KafkaJobBuilder;
import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsEventSerde;
import io.nip.examples.FanOutSink;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.Stream;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.streaming.LateEvent;
import io.nip.streaming.SessionEvents;
import io.nip.streaming.StatefulProcessor;
import io.nip.time.WatermarkStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The tutorial's exercise 2, "Implement Sessionization with Timeout", on Kafka: read
 * {@code user-events}, parse strictly ({@link AnalyticsEventSerde}, the same rules as exercise 1;
 * bad records to {@code user-events-dlq}), keep bots, key by user, and cut event-time sessions
 * that more than {@value #GAP_MINUTES} minutes of inactivity closes (exactly 30 minutes continues
 * a session). When a session closes, one {@link SessionSummary} (key {@code user_id}) goes to
 * {@code sessions-output}: start, end, duration, event count, first and last event type and the
 * journey. At the end of a bounded input every open session closes and is written.
 *
 * <pre>{@code
 * SessionsPipeline job = SessionsPipeline.builder("localhost:9092").groupId("sessions").bounded().build();
 * job.start().awaitTermination();
 * }</pre>
 *
 * <p>Late events. A session accepts late events until the watermark passes its end (last event +
 * 30 min) plus {@value #LATENESS_MINUTES} minutes; such an event updates it (merging sessions it
 * bridges) and the session is written again with {@code "update":true} under the same id (a merged
 * session keeps the id of the earliest one, naming the others in {@code superseded_session_ids}).
 * A consumer keeps the last line per session id and drops superseded ids. Later events are counted
 * ({@link Counters#lateEvents()}) and go to the late-events sink when one is given.
 *
 * <p>State lives in the pipeline's state backend ({@link io.nip.pipeline.PipelineConfig#stateBackend()}),
 * at most {@link Builder#maxEventsPerSession(int)} events per session. Delivery is at-least-once by
 * default; with {@link Builder#guarantee(Guarantee) guarantee(EXACTLY_ONCE)} results, dead letters,
 * state changes and offsets commit in one Kafka transaction per checkpoint.
 */
public final class SessionsPipeline extends KafkaJob<SessionsPipeline.Counters> {
  /** The pipeline's name. */
  public static final String PIPELINE_NAME = "sessionization_pipeline";
  /** Default input topic. */
  public static final String INPUT_TOPIC = "user-events";
  /** Default output topic. */
  public static final String OUTPUT_TOPIC = "sessions-output";
  /** Default dead-letter topic. */
  public static final String DLQ_TOPIC = "user-events-dlq";
  static final long GAP_MINUTES = 30;
  static final long LATENESS_MINUTES = 5;
  /** More than this much inactivity closes a session. */
  public static final Duration GAP = Duration.ofMinutes(GAP_MINUTES);
  /** How long after its close a session still takes late events. */
  public static final Duration ALLOWED_LATENESS = Duration.ofMinutes(LATENESS_MINUTES);
  /** Default bound on event-time disorder. */
  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(30);
  /** Default cap of events per session. */
  public static final int DEFAULT_MAX_EVENTS_PER_SESSION = StatefulProcessor.DEFAULT_MAX_EVENTS_PER_SESSION;
  /** How keys (user ids) are written in state and in session ids. */
  public static final Serde<String> KEY_SERDE = Serdes.string();
  /** The name of the session operator (where the sessions' state lives). */
  static final String OPERATOR = "user-sessions";

  private SessionsPipeline(Pipeline pipeline, Counters counters) {
    super(pipeline, counters);
  }

  /**
   * @param bootstrapServers the Kafka cluster, "host:port[,host:port]"
   * @return a builder with the default topics
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
  }

  /**
   * Runs the exercise once over what the input topic holds now and writes the sessions also to
   * {@code sessions.jsonl}.
   *
   * @param args optional: the Kafka cluster (default localhost:9092)
   */
  public static void main(String[] args) {
    String servers = args.length > 0 ? args[0] : "localhost:9092";
    // tag::readme[]
    SessionsPipeline job = SessionsPipeline.builder(servers).groupId("sessions").bounded()
        .outputFile(Path.of("sessions.jsonl")).deadLetterFile(Path.of("bad.jsonl")).build();
    job.start().awaitTermination();
    // end::readme[]
    System.out.printf("sessions=%d updates=%d bad=%d late=%d%n", job.counters().sessionsOut(),
        job.counters().lateUpdates(), job.counters().badRecords(), job.counters().lateEvents());
  }

  /**
   * The exercise's summary of one session, as {@link StatefulProcessor#sessionize} hands it over.
   *
   * @param userId the user
   * @param events the session's steps in event-time order
   * @param sessionId the session's id
   * @return the summary
   */
  public static SessionSummary summarize(String userId, SessionEvents<JourneyStep> events, String sessionId) {
    List<String> journey = new ArrayList<>(events.size());
    for (JourneyStep s : events) {
      journey.add(s.eventType());
    }
    double seconds = Duration.between(events.firstEventTime(), events.lastEventTime()).toMillis() / 1000.0;
    return new SessionSummary(userId, sessionId, events.firstEventTime(), events.lastEventTime(), seconds,
        events.eventCount(), journey.get(0), journey.get(journey.size() - 1), journey, events.isUpdate(),
        events.supersededIds(), events.droppedEvents());
  }

  /**
   * Adds the sessionization to a stream of steps (with their event times), e.g. under a
   * {@code PipelineTestDriver}: 30-minute inactivity sessions, 5 minutes of allowed lateness.
   *
   * @param steps the users' steps
   * @param maxEventsPerSession the cap of events per session
   * @param late where late events go, or null to only count them
   * @return the session summaries, updates included
   */
  public static Stream<SessionSummary> sessions(Stream<JourneyStep> steps, int maxEventsPerSession,
      Sink<? super LateEvent<JourneyStep>> late) {
    StatefulProcessor<JourneyStep, SessionSummary> p = StatefulProcessor.<JourneyStep, SessionSummary>named(OPERATOR)
        .eventSerde(JourneyStep.SERDE).allowedLateness(ALLOWED_LATENESS).maxEventsPerSession(maxEventsPerSession);
    if (late != null) {
      p.lateEvents(late);
    }
    return p.sessionize(GAP, JourneyStep::userId, KEY_SERDE, SessionsPipeline::summarize).applyTo(steps);
  }

  /** Live counts of a job, safe to read while it runs. */
  public static final class Counters {
    private final LongAdder parsed = new LongAdder();
    private final LongAdder bad = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final LongAdder sessions = new LongAdder();
    private final LongAdder updates = new LongAdder();
    private LongSupplier meteredBad = () -> 0;
    private LongSupplier meteredLate = () -> 0;

    /** @return records read from the input (parsed and bad) */
    public long eventsIn() {
      return parsed.sum() + badRecords();
    }

    /** @return records sent to the dead-letter path (bad input) */
    public long badRecords() {
      return bad.sum() + meteredBad.getAsLong();
    }

    /** @return events that came later than the allowed lateness, in no session */
    public long lateEvents() {
      return late.sum() + meteredLate.getAsLong();
    }

    /** @return session results written for the first time (not updates) */
    public long sessionsOut() {
      return sessions.sum();
    }

    /** @return updated session results written because of late events */
    public long lateUpdates() {
      return updates.sum();
    }

    private void countFromMeters(MeterRegistry registry) {
      meteredBad = deadLettered(registry, PIPELINE_NAME);
      meteredLate = KafkaJob.lateEvents(registry, PIPELINE_NAME);
    }
  }

  /**
   * Settings of a {@link SessionsPipeline}; {@code groupId} is required. Defaults: topics
   * {@value #INPUT_TOPIC}, {@value #OUTPUT_TOPIC}, {@value #DLQ_TOPIC}, watermark bound 30 s,
   * {@value #DEFAULT_MAX_EVENTS_PER_SESSION} events per session.
   */
  public static final class Builder extends KafkaJobBuilder<Builder, SessionSummary> {
    private int maxEvents = DEFAULT_MAX_EVENTS_PER_SESSION;
    private Sink<? super LateEvent<JourneyStep>> lateSink;

    private Builder(String servers) {
      super(servers, INPUT_TOPIC, OUTPUT_TOPIC, DLQ_TOPIC, DEFAULT_OUT_OF_ORDERNESS);
    }

    /**
     * @param n the most events a session keeps (2 to 1,000,000); past it the journey keeps the
     *     earliest {@code n - 1} steps and the last one, and the summary says how many it dropped
     * @return this
     * @throws ConfigurationException naming {@code maxEventsPerSession} when out of range
     */
    public Builder maxEventsPerSession(int n) {
      if (n < 2 || n > 1_000_000) {
        throw ConfigurationException.invalid("maxEventsPerSession", n, "must be between 2 and 1000000");
      }
      this.maxEvents = n;
      return this;
    }

    /**
     * @param sink where events later than the allowed lateness go, each with its reason (besides
     *     being counted); refused under exactly-once
     * @return this
     */
    public Builder lateEvents(Sink<? super LateEvent<JourneyStep>> sink) {
      this.lateSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * @return the job, not started
     * @throws ConfigurationException without a group id, or under {@link Guarantee#EXACTLY_ONCE}
     *     with a file or extra sink
     */
    public SessionsPipeline build() {
      PipelineConfig.Builder cb = configBuilder();
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
      Pipeline p = Pipeline.named(PIPELINE_NAME, cfg);
      Stream<JourneyStep> steps = p.from(source(new AnalyticsEventSerde()),
              WatermarkStrategy.<AnalyticsEvent>boundedOutOfOrderness(maxOutOfOrderness)
                  .withTimestamps(AnalyticsEvent::eventTime))
          .peek(e -> counters.parsed.increment(), Op.named("count-in"))
          .map(e -> new JourneyStep(e.userId(), e.eventType()), Op.named("steps"));
      Stream<SessionSummary> results = sessions(steps, maxEvents, exactlyOnce ? null : lateEvents(counters))
          .peek(s -> (s.update() ? counters.updates : counters.sessions).increment(), Op.named("count-out"));
      writeResults(results, SessionSummary.SERDE, SessionSummary::userId);
      return new SessionsPipeline(p, counters);
    }

    private Sink<LateEvent<JourneyStep>> lateEvents(Counters counters) {
      List<Sink<? super LateEvent<JourneyStep>>> sinks = new ArrayList<>();
      sinks.add(Sinks.forEach("count-late", e -> counters.late.increment()));
      if (lateSink != null) {
        sinks.add(lateSink);
      }
      return new FanOutSink<>("late-events", sinks);
    }
  }
}
