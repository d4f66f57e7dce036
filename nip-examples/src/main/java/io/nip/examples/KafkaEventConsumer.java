package io.nip.examples;

import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.Pipeline;
import io.nip.serde.Serdes;
import io.nip.time.NipClock;
import java.util.Objects;

/**
 * The tutorial's "Basic Event Consumer" on Kafka: read {@link UserEvent}s from {@code user-events}
 * as a member of a consumer group, enrich each with {@code processed_at} and
 * {@code processing_node} ({@link BasicEventConsumer#consume}), write them to
 * {@code processed-events} keyed by {@code user_id}. Values that do not parse follow the pipeline's
 * error policy (skipped and counted by default).
 *
 * <pre>{@code
 * Pipeline p = KafkaEventConsumer.pipeline("localhost:9092", "nip-consumer-group", OffsetReset.LATEST, false, NipClock.system());
 * p.start();
 * }</pre>
 */
public final class KafkaEventConsumer {
  /** The input topic, as in the tutorial. */
  public static final String INPUT_TOPIC = BasicEventConsumer.SOURCE_NAME;
  /** The output topic, as in the tutorial. */
  public static final String OUTPUT_TOPIC = BasicEventConsumer.SINK_NAME;

  private KafkaEventConsumer() {}

  /**
   * @param bootstrapServers the cluster
   * @param groupId the consumer group (the tutorial's {@code nip-consumer-group})
   * @param reset where a new group starts (the tutorial uses {@code LATEST})
   * @param bounded stop at the end offsets taken at start (for batch runs and tests)
   * @param clock gives {@code processed_at}
   * @return the pipeline, not started
   */
  public static Pipeline pipeline(String bootstrapServers, String groupId, OffsetReset reset, boolean bounded,
      NipClock clock) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    KafkaSource.Builder<UserEvent> source = KafkaSource.builder(INPUT_TOPIC, Serdes.json(UserEvent.class))
        .bootstrapServers(bootstrapServers).groupId(groupId).offsetReset(reset);
    if (bounded) {
      source.bounded();
    }
    Pipeline p = Pipeline.named(BasicEventConsumer.PIPELINE_NAME);
    BasicEventConsumer.consume(p.from(source.build()), clock)
        .to(KafkaSink.builder(OUTPUT_TOPIC, Serdes.json(UserEvent.class)).bootstrapServers(bootstrapServers)
            .key(UserEvent::userId).build());
    return p;
  }

  /**
   * Runs until interrupted against a cluster.
   *
   * @param args bootstrap servers (default {@code localhost:9092})
   */
  public static void main(String[] args) {
    String servers = args.length > 0 ? args[0] : "localhost:9092";
    var h = pipeline(servers, "nip-consumer-group", OffsetReset.LATEST, false, NipClock.system()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(h::close));
    System.err.println("Event-driven NIP pipeline started");
    h.awaitTermination();
  }
}
