package io.nip.examples.fraud;

import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.examples.DeadLetterJson;
import io.nip.examples.FanOutSink;
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
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.time.WatermarkStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tutorial's exercise 3, "Build a Fraud Detection System", on Kafka: read {@code user-events}
 * (exercise 1's line format and bad-input rules plus the payment fields, {@link PaymentEventSerde};
 * bad records to {@code user-events-dlq}), evaluate {@link FraudRules} per user in event-time order,
 * and write each alert ({@link FraudAlert}, key {@code user_id}) to {@code fraud-alerts}, optionally
 * to a JSON-lines file and into a PostgreSQL table ({@link AlertTable}, idempotent), with
 * false-positive monitoring ({@link FraudMonitor}).
 *
 * <pre>{@code
 * FraudPipeline job = FraudPipeline.builder("localhost:9092").groupId("fraud").bounded()
 *     .alertTable(AlertTable.of(dataSource, "fraud_alerts")).build();
 * job.start().awaitTermination();
 * }</pre>
 *
 * <p>Order and time: the watermark is the largest event time seen per partition minus the
 * out-of-orderness bound (default 30 s); a payment is evaluated once the watermark has passed it,
 * so an alert's latency is that bound. A payment already behind the watermark is late: counted in
 * {@link Counters#latePayments()}, not evaluated. State (the failed-payments pattern's partial
 * matches, the per-user history) is keyed state: with a checkpoint storage and a durable state
 * backend in the config it survives a restart. Delivery is at-least-once by default: after a
 * restart the records since the last checkpoint are read again and alerts may be written again
 * to the topic and the file; the table keeps one row per (user_id, pattern, detected_at).
 */
public final class FraudPipeline {
  /** The pipeline's name. */
  public static final String PIPELINE_NAME = "fraud_detection";
  /** Default input topic. */
  public static final String INPUT_TOPIC = "user-events";
  /** Default alerts topic. */
  public static final String OUTPUT_TOPIC = "fraud-alerts";
  /** Default dead-letter topic. */
  public static final String DLQ_TOPIC = "user-events-dlq";
  /** Default bound on event-time disorder. */
  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(30);

  private final Pipeline pipeline;
  private final Counters counters;
  private final FraudMonitor monitor;

  private FraudPipeline(Pipeline pipeline, Counters counters, FraudMonitor monitor) {
    this.pipeline = pipeline;
    this.counters = counters;
    this.monitor = monitor;
  }

  /**
   * @param bootstrapServers the Kafka cluster, "host:port[,host:port]"
   * @return a builder with the default topics
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
  }

  /**
   * The job's processing on any stream of parsed events, shared by the Kafka job and tests: count,
   * key by user, apply {@link FraudRules}, count late payments and record alerts in the monitor.
   *
   * @param events parsed events (bad ones already dead-lettered)
   * @param counters where the counts go
   * @param monitor where the alerts are recorded
   * @return the alerts, to be written to sinks
   */
  public static Stream<FraudAlert> detect(Stream<Payment> events, Counters counters, FraudMonitor monitor) {
    Objects.requireNonNull(counters, "counters");
    Objects.requireNonNull(monitor, "monitor");
    Stream<Payment> payments = events.peek(e -> counters.parsed.increment(), Op.named("count-in"))
        .filter(e -> {
          if (e.isPayment()) {
            counters.payments.increment();
            return true;
          }
          return false;
        }, Op.named("payments-only"));
    FraudRules.Result r = FraudRules.apply(payments.keyBy(Payment::userId, Serdes.string()));
    r.latePayments().to(Sinks.forEach("late-payments", p -> counters.late.increment()));
    return r.alerts().peek(monitor::record, Op.named("monitor"));
  }

  /**
   * Runs the exercise once over what the input topic holds now ({@link Builder#bounded()}), writes
   * the alerts also to {@code alerts.jsonl} (and into the table {@code fraud_alerts} when a JDBC URL
   * is given) and bad records to {@code bad.jsonl}, and prints the counts.
   *
   * <pre>{@code
   * java -cp nip-cli/target/nip.jar io.nip.examples.fraud.FraudPipeline localhost:9092 jdbc:postgresql://localhost/app
   * }</pre>
   *
   * @param args optional: the Kafka cluster (default localhost:9092), then a {@code jdbc:postgresql:}
   *     URL (user and password from {@code PGUSER} and {@code PGPASSWORD})
   */
  public static void main(String[] args) {
    String servers = args.length > 0 ? args[0] : "localhost:9092";
    Builder b = builder(servers).groupId("fraud").bounded()
        .outputFile(Path.of("alerts.jsonl")).deadLetterFile(Path.of("bad.jsonl"));
    com.zaxxer.hikari.HikariDataSource ds = null;
    if (args.length > 1) {
      com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
      c.setJdbcUrl(args[1]);
      c.setUsername(System.getenv("PGUSER"));
      c.setPassword(System.getenv("PGPASSWORD"));
      ds = new com.zaxxer.hikari.HikariDataSource(c);
      AlertTable table = AlertTable.of(ds, AlertTable.DEFAULT_TABLE);
      table.createIfMissing();
      b.alertTable(table);
    }
    FraudPipeline job = b.build();
    job.start().awaitTermination();
    System.out.printf("events=%d bad=%d alerts=%s false_positive_rate=%.3f%n", job.counters().eventsIn(),
        job.counters().badRecords(), job.monitor().alertsPerPattern(), job.monitor().falsePositiveRate());
    if (ds != null) {
      ds.close();
    }
  }

  /** @return the pipeline, not started */
  public Pipeline pipeline() {
    return pipeline;
  }

  /** @return the live counts of this job */
  public Counters counters() {
    return counters;
  }

  /** @return alerts per pattern, labelled alerts and the false-positive rate */
  public FraudMonitor monitor() {
    return monitor;
  }

  /** @return the handle of the started pipeline */
  public PipelineHandle start() {
    return pipeline.start();
  }

  /** Live counts of a job, safe to read while it runs. */
  public static final class Counters {
    private final LongAdder parsed = new LongAdder();
    private final LongAdder payments = new LongAdder();
    private final LongAdder bad = new LongAdder();
    private final LongAdder late = new LongAdder();

    /** @return records read (parsed and bad) */
    public long eventsIn() {
      return parsed.sum() + bad.sum();
    }

    /** @return payment events among the parsed ones */
    public long payments() {
      return payments.sum();
    }

    /** @return records sent to the dead-letter path */
    public long badRecords() {
      return bad.sum();
    }

    /** @return payments behind the watermark on arrival, not evaluated */
    public long latePayments() {
      return late.sum();
    }

    /**
     * @return a sink counting what it gets as bad records (put it beside the dead-letter sinks)
     */
    public Sink<DeadLetter> badRecordCounter() {
      return Sinks.forEach("dlq-count", d -> bad.increment());
    }
  }

  /** Settings of a {@link FraudPipeline}; {@code groupId} is required. */
  public static final class Builder {
    private final String servers;
    private String inputTopic = INPUT_TOPIC;
    private String outputTopic = OUTPUT_TOPIC;
    private String dlqTopic = DLQ_TOPIC;
    private String groupId;
    private boolean bounded;
    private Duration maxOutOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
    private PipelineConfig config = PipelineConfig.defaults();
    private Path outputFile;
    private Path deadLetterFile;
    private AlertTable table;
    private Guarantee guarantee;
    private String instanceId;
    private final List<Sink<? super FraudAlert>> outputSinks = new ArrayList<>();
    private final Map<String, Object> consumerProps = new HashMap<>();

    private Builder(String servers) {
      this.servers = servers;
    }

    /** @param topic the input topic (default {@value #INPUT_TOPIC}) @return this */
    public Builder inputTopic(String topic) {
      this.inputTopic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** @param topic the alerts topic (default {@value #OUTPUT_TOPIC}) @return this */
    public Builder outputTopic(String topic) {
      this.outputTopic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** @param topic the dead-letter topic (default {@value #DLQ_TOPIC}) @return this */
    public Builder deadLetterTopic(String topic) {
      this.dlqTopic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** @param id the consumer group; required @return this */
    public Builder groupId(String id) {
      this.groupId = Objects.requireNonNull(id, "groupId");
      return this;
    }

    /** Reads up to the end offsets taken at start, then evaluates everything and completes. @return this */
    public Builder bounded() {
      this.bounded = true;
      return this;
    }

    /**
     * @param bound how far events may come out of event-time order (default 30 s); also the alert latency
     * @return this
     * @throws ConfigurationException when negative
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
     * @param base threads, state backend, checkpoint storage, meter registry ...; its error policy
     *     is replaced by the dead-letter path
     * @return this
     */
    public Builder config(PipelineConfig base) {
      this.config = Objects.requireNonNull(base, "config");
      return this;
    }

    /** @param file also write every alert here as JSON lines @return this */
    public Builder outputFile(Path file) {
      this.outputFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** @param file also write every dead letter here as JSON lines ({@link DeadLetterJson}) @return this */
    public Builder deadLetterFile(Path file) {
      this.deadLetterFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * @param alerts also insert every alert here (idempotent); create the table first
     *     ({@link AlertTable#createIfMissing()})
     * @return this
     */
    public Builder alertTable(AlertTable alerts) {
      this.table = Objects.requireNonNull(alerts, "alerts");
      return this;
    }

    /** @param sink also write every alert here; may be called more than once @return this */
    public Builder outputSink(Sink<? super FraudAlert> sink) {
      outputSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /** @param g what the output promises after a failure (default: the config's) @return this */
    public Builder guarantee(Guarantee g) {
      this.guarantee = Objects.requireNonNull(g, "guarantee");
      return this;
    }

    /**
     * @param id this instance's id for transactional producers (see {@code KafkaSource.Builder.instanceId})
     * @return this
     */
    public Builder instanceId(String id) {
      this.instanceId = Objects.requireNonNull(id, "id");
      return this;
    }

    /** @param key a Kafka consumer setting @param value its value @return this */
    public Builder consumerProperty(String key, Object value) {
      consumerProps.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * @return the job, not started
     * @throws ConfigurationException without a group id
     */
    public FraudPipeline build() {
      if (groupId == null) {
        throw new ConfigurationException("groupId", "is required");
      }
      PipelineConfig.Builder cb = config.toBuilder().maxOutOfOrderness(maxOutOfOrderness);
      if (guarantee != null) {
        cb.guarantee(guarantee);
      }
      Counters counters = new Counters();
      Map<String, Object> producer = new HashMap<>();
      producer.put("bootstrap.servers", servers);
      List<Sink<? super DeadLetter>> dlq = new ArrayList<>();
      dlq.add(KafkaDeadLetterSink.create(dlqTopic, producer));
      if (deadLetterFile != null) {
        dlq.add(Sinks.jsonLines("dlq-file", deadLetterFile, new DeadLetterJson()));
      }
      dlq.add(counters.badRecordCounter());
      PipelineConfig cfg = cb.errorPolicy(ErrorPolicy.deadLetter(new FanOutSink<>("dead-letters", dlq))).build();
      Pipeline p = Pipeline.named(PIPELINE_NAME, cfg);
      KafkaSource.Builder<Payment> source = KafkaSource.builder(inputTopic, new PaymentEventSerde())
          .bootstrapServers(servers).groupId(groupId).offsetReset(OffsetReset.EARLIEST)
          .consumerProperties(consumerProps);
      if (bounded) {
        source.bounded();
      }
      if (instanceId != null) {
        source.instanceId(instanceId);
      }
      FraudMonitor monitor = new FraudMonitor(cfg.meterRegistry(), PIPELINE_NAME);
      Stream<FraudAlert> alerts = detect(p.from(source.build(),
          WatermarkStrategy.<Payment>boundedOutOfOrderness(maxOutOfOrderness).withTimestamps(Payment::eventTime)),
          counters, monitor);
      alerts.to(KafkaSink.builder(outputTopic, FraudAlert.SERDE).bootstrapServers(servers)
          .key(FraudAlert::userId).build());
      if (outputFile != null) {
        alerts.to(Sinks.jsonLines("output-file", outputFile, FraudAlert.SERDE));
      }
      if (table != null) {
        alerts.to(table.sink());
      }
      for (Sink<? super FraudAlert> s : outputSinks) {
        alerts.to(s);
      }
      return new FraudPipeline(p, counters, monitor);
    }
  }
}
