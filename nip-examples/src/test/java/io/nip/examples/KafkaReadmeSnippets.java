package io.nip.examples;

import io.nip.errors.ErrorPolicy;
import io.nip.kafka.KafkaDeadLetterSink;
import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import java.util.List;

/*
 * The code of nip-kafka's README, between tag markers: compiled with these tests (here, because it
 * uses this module's UserEvent) so that the README cannot drift from the API; ReadmeSnippetsTest
 * checks that the README block equals the tagged region. Not run: it names a broker at a fixed
 * address; the same builders run against a real broker in nip-kafka's tests.
 */
final class KafkaReadmeSnippets {
  private KafkaReadmeSnippets() {}

  /** The README's output record. */
  record Summary(String userId, long eventCount) {}

  record Order(String id, String region) {
    Order enrich() {
      return new Order(id, region == null ? "unknown" : region);
    }
  }

  static List<Object> connectors() {
    // tag::connectors[]
    KafkaSource<UserEvent> events = KafkaSource.builder("user-events", Serdes.json(UserEvent.class))
        .bootstrapServers("localhost:9092").groupId("analytics").offsetReset(OffsetReset.EARLIEST).build();
    KafkaSink<Summary> out = KafkaSink.builder("analytics-output", Serdes.json(Summary.class))
        .bootstrapServers("localhost:9092").key(Summary::userId).build();
    PipelineConfig cfg = PipelineConfig.builder()
        .errorPolicy(ErrorPolicy.deadLetter(KafkaDeadLetterSink.create("user-events-dlq", "localhost:9092"))).build();
    // end::connectors[]
    return List.of(events, out, cfg);
  }

  static Pipeline exactlyOnce() {
    // tag::exactly-once[]
    Pipeline p = Pipeline.named("enrich", PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE).build());
    p.from(KafkaSource.builder("orders", Serdes.json(Order.class)).bootstrapServers("localhost:9092")
            .groupId("enrich").build())
        .map(Order::enrich)
        .to(KafkaSink.builder("orders-enriched", Serdes.json(Order.class)).bootstrapServers("localhost:9092").build());
    // end::exactly-once[]
    return p;
  }
}
