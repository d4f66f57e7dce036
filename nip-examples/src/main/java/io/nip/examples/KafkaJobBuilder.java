package io.nip.examples;

import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.kafka.KafkaDeadLetterSink;
import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.Stream;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the builders of the exercises' Kafka jobs share: topics, consumer group, bounded reading, the
 * watermark bound, the base configuration, the guarantee, the result and dead-letter files and
 * sinks, Kafka properties, and the pieces every job builds from them (the Kafka source, the
 * dead-letter path, the result sinks, the refusal of non-Kafka sinks under exactly-once). A job's
 * builder extends it and adds what is its own. Built with a {@link StreamingPlatform}, the same job
 * reads and writes that platform's streams instead (at-least-once).
 *
 * <pre>{@code
 * SessionsPipeline.builder("localhost:9092").groupId("sessions").bounded().outputFile(Path.of("s.jsonl")).build();
 * }</pre>
 *
 * @param <B> the job's builder type, returned by every setter
 * @param <R> the job's result type
 */
public abstract class KafkaJobBuilder<B extends KafkaJobBuilder<B, R>, R> {
  /** The Kafka cluster, "host:port[,host:port]", or null on another {@link #platform}. */
  protected final String servers;
  /** The platform the job runs on instead of Kafka, or null for Kafka. */
  protected final StreamingPlatform platform;
  /** The input topic. */
  protected String inputTopic;
  /** The results topic. */
  protected String outputTopic;
  /** The dead-letter topic. */
  protected String dlqTopic;
  /** The consumer group; required. */
  protected String groupId;
  /** Whether the job reads up to the end offsets taken at start and completes. */
  protected boolean bounded;
  /** The watermark bound. */
  protected Duration maxOutOfOrderness;
  /** The base configuration. */
  protected PipelineConfig config = PipelineConfig.defaults();
  /** A file the results are also written to, or null. */
  protected Path outputFile;
  /** A file the dead letters are also written to, or null. */
  protected Path deadLetterFile;
  /** Further result sinks. */
  protected final List<Sink<? super R>> outputSinks = new ArrayList<>();
  /** Further dead-letter sinks. */
  protected final List<Sink<? super DeadLetter>> deadLetterSinks = new ArrayList<>();
  /** Kafka consumer settings. */
  protected final Map<String, Object> consumerProps = new HashMap<>();
  /** Kafka producer settings (results and dead letters). */
  protected final Map<String, Object> producerProps = new HashMap<>();
  /** The instance id of transactional producers, or null for the host name. */
  protected String instanceId;
  /** The guarantee, or null for the configuration's. */
  protected Guarantee guarantee;

  /**
   * @param servers the Kafka cluster
   * @param input default input topic
   * @param output default results topic
   * @param dlq default dead-letter topic
   * @param outOfOrderness default watermark bound
   */
  protected KafkaJobBuilder(String servers, String input, String output, String dlq, Duration outOfOrderness) {
    this(Objects.requireNonNull(servers, "bootstrapServers"), null, input, output, dlq, outOfOrderness);
  }

  /**
   * A job on another platform than Kafka: its source and sinks come from {@code platform}, and the
   * Kafka settings (group id, consumer and producer properties, instance id) do not apply.
   *
   * @param platform where the job reads and writes
   * @param input default input stream
   * @param output default results stream
   * @param dlq default dead-letter stream
   * @param outOfOrderness default watermark bound
   */
  protected KafkaJobBuilder(StreamingPlatform platform, String input, String output, String dlq,
      Duration outOfOrderness) {
    this(null, Objects.requireNonNull(platform, "platform"), input, output, dlq, outOfOrderness);
  }

  private KafkaJobBuilder(String servers, StreamingPlatform platform, String input, String output, String dlq,
      Duration outOfOrderness) {
    this.servers = servers;
    this.platform = platform;
    this.inputTopic = input;
    this.outputTopic = output;
    this.dlqTopic = dlq;
    this.maxOutOfOrderness = outOfOrderness;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** @param topic the input topic @return this */
  public B inputTopic(String topic) {
    this.inputTopic = Objects.requireNonNull(topic, "topic");
    return self();
  }

  /** @param topic the results topic @return this */
  public B outputTopic(String topic) {
    this.outputTopic = Objects.requireNonNull(topic, "topic");
    return self();
  }

  /** @param topic the dead-letter topic @return this */
  public B deadLetterTopic(String topic) {
    this.dlqTopic = Objects.requireNonNull(topic, "topic");
    return self();
  }

  /** @param id the consumer group; instances with the same id share the partitions @return this */
  public B groupId(String id) {
    this.groupId = Objects.requireNonNull(id, "groupId");
    return self();
  }

  /** Reads up to the end offsets taken at start, then closes every window and completes. @return this */
  public B bounded() {
    this.bounded = true;
    return self();
  }

  /**
   * @param bound how far events may come out of event-time order
   * @return this
   * @throws ConfigurationException naming {@code maxOutOfOrderness} when negative
   */
  public B maxOutOfOrderness(Duration bound) {
    Objects.requireNonNull(bound, "maxOutOfOrderness");
    if (bound.isNegative()) {
      throw ConfigurationException.invalid("maxOutOfOrderness", bound, "must not be negative");
    }
    this.maxOutOfOrderness = bound;
    return self();
  }

  /**
   * @param base threads, state backend, batch size, commit interval, meter registry ...; its error
   *     policy is replaced by the dead-letter path
   * @return this
   */
  public B config(PipelineConfig base) {
    this.config = Objects.requireNonNull(base, "config");
    return self();
  }

  /** @param file also write every result here as JSON lines @return this */
  public B outputFile(Path file) {
    this.outputFile = Objects.requireNonNull(file, "file");
    return self();
  }

  /** @param file also write every dead letter here as JSON lines ({@link DeadLetterJson}) @return this */
  public B deadLetterFile(Path file) {
    this.deadLetterFile = Objects.requireNonNull(file, "file");
    return self();
  }

  /**
   * Also writes every result to {@code sink}, besides the output topic; may be called more than
   * once. The sink's writers run on the pipeline's task threads, concurrently.
   *
   * @param sink e.g. a file the caller opened, or a preview of the first results
   * @return this
   */
  public B outputSink(Sink<? super R> sink) {
    outputSinks.add(Objects.requireNonNull(sink, "sink"));
    return self();
  }

  /**
   * Also writes every dead letter to {@code sink}, besides the dead-letter topic; may be called
   * more than once. The sink's writers run on the pipeline's task threads, concurrently.
   *
   * @param sink e.g. a dead-letter file the caller opened ({@link DeadLetterJson} lines)
   * @return this
   */
  public B deadLetterSink(Sink<? super DeadLetter> sink) {
    deadLetterSinks.add(Objects.requireNonNull(sink, "sink"));
    return self();
  }

  /** @param key a Kafka consumer setting @param value its value @return this */
  public B consumerProperty(String key, Object value) {
    consumerProps.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return self();
  }

  /** @param key a Kafka producer setting (results and dead letters) @param value its value @return this */
  public B producerProperty(String key, Object value) {
    producerProps.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return self();
  }

  /**
   * Names this running instance for the state changelog's transactional producer (see
   * {@code KafkaSource.Builder.instanceId}): instances of one group that run at the same time need
   * distinct ids, a restarted instance keeps its id. Default: the host name.
   *
   * @param id letters, digits, '.', '_', '-'
   * @return this
   */
  public B instanceId(String id) {
    this.instanceId = Objects.requireNonNull(id, "id");
    return self();
  }

  /**
   * What the output promises after a failure (default: the config's, {@link Guarantee#AT_LEAST_ONCE}
   * unless set there). Under {@link Guarantee#EXACTLY_ONCE} the results, dead letters, state changes
   * and offsets of each checkpoint commit in one Kafka transaction; readers must read with
   * {@code isolation.level=read_committed}, and file and extra sinks are refused by {@code build()}.
   *
   * @param g the guarantee
   * @return this
   */
  public B guarantee(Guarantee g) {
    this.guarantee = Objects.requireNonNull(g, "guarantee");
    return self();
  }

  private void kafkaOnly(String setting, Object value) {
    if (value != null) {
      throw ConfigurationException.invalid(setting, value, "is a Kafka setting; the job runs on " + platform.name());
    }
  }

  /**
   * @return the base configuration with the watermark bound and the guarantee
   * @throws ConfigurationException without a group id (on Kafka); on another platform, with
   *     {@link Guarantee#EXACTLY_ONCE} or a Kafka-only setting (group id, consumer or producer
   *     properties, instance id), which the job could not honour
   */
  protected PipelineConfig.Builder configBuilder() {
    if (groupId == null && platform == null) {
      throw new ConfigurationException("groupId", "is required");
    }
    if (platform != null) {
      kafkaOnly("groupId", groupId);
      kafkaOnly("consumerProperty", consumerProps.isEmpty() ? null : consumerProps.keySet());
      kafkaOnly("producerProperty", producerProps.isEmpty() ? null : producerProps.keySet());
      kafkaOnly("instanceId", instanceId);
    }
    PipelineConfig.Builder cb = config.toBuilder().maxOutOfOrderness(maxOutOfOrderness);
    if (guarantee != null) {
      cb.guarantee(guarantee);
    }
    if (platform != null && cb.build().guarantee() == Guarantee.EXACTLY_ONCE) {
      throw ConfigurationException.invalid("guarantee", Guarantee.EXACTLY_ONCE, "needs Kafka transactions; on "
          + platform.name() + " the job offers AT_LEAST_ONCE");
    }
    return cb;
  }

  /**
   * Refuses the file and extra sinks, which cannot join the Kafka transaction of exactly-once.
   *
   * @param lateSink the job's late-events sink, or null
   * @throws ConfigurationException naming the first such sink
   */
  protected void refuseNonTransactionalSinks(Sink<?> lateSink) {
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

  /** @return the producer settings with the bootstrap servers */
  protected Map<String, Object> producerConfig() {
    Map<String, Object> props = new HashMap<>(producerProps);
    props.put("bootstrap.servers", servers);
    return props;
  }

  /**
   * @param exactlyOnce whether the dead letters go only to the topic, in the job's transactions
   * @param counter counts the dead letters (at-least-once only)
   * @return the dead-letter path: the topic, the file, the extra sinks and the counter
   */
  protected Sink<DeadLetter> deadLetters(boolean exactlyOnce, Sink<DeadLetter> counter) {
    Sink<DeadLetter> topic = platform != null ? platform.deadLetters(dlqTopic)
        : KafkaDeadLetterSink.create(dlqTopic, producerConfig());
    if (exactlyOnce) {
      return topic;
    }
    List<Sink<? super DeadLetter>> sinks = new ArrayList<>();
    sinks.add(topic);
    if (deadLetterFile != null) {
      sinks.add(Sinks.jsonLines("dlq-file", deadLetterFile, new DeadLetterJson()));
    }
    sinks.addAll(deadLetterSinks);
    sinks.add(counter);
    return new FanOutSink<>("dead-letters", sinks);
  }

  /**
   * @param serde the strict parser of the input records
   * @param <T> the event type
   * @return the Kafka source of the input topic, from the earliest offset, bounded when asked; or
   *     the {@link #platform}'s source of the input stream
   */
  protected <T> Source<T> source(Serde<T> serde) {
    if (platform != null) {
      return platform.source(inputTopic, serde, bounded);
    }
    KafkaSource.Builder<T> source = KafkaSource.builder(inputTopic, serde)
        .bootstrapServers(servers).groupId(groupId).offsetReset(OffsetReset.EARLIEST)
        .consumerProperties(consumerProps);
    if (bounded) {
      source.bounded();
    }
    if (instanceId != null) {
      source.instanceId(instanceId);
    }
    return source.build();
  }

  /**
   * Writes the results to the output topic, the output file and the extra sinks.
   *
   * @param results the results
   * @param serde their JSON
   * @param key the record key of a result
   */
  protected void writeResults(Stream<R> results, Serde<R> serde, Function<? super R, String> key) {
    results.to(platform != null ? platform.sink(outputTopic, serde, key) : KafkaSink.builder(outputTopic, serde)
        .bootstrapServers(servers).key(key).producerProperties(producerProps).build());
    if (outputFile != null) {
      results.to(Sinks.jsonLines("output-file", outputFile, serde));
    }
    for (Sink<? super R> sink : outputSinks) {
      results.to(sink);
    }
  }
}
