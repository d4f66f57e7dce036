package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.schema.SchemaHeaders;
import io.nip.schema.UnknownVersionException;
import io.nip.schema.VersionedSerde;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** A stream mixing versions 1, 2 and 3 of the tutorial's UserEvent, and one of a future version 9. */
class UserEventVersionsTest {
  private static final Instant T = Instant.parse("2026-01-17T17:00:00Z");

  /** The expected current-version events, e1 to e5 (e4 is the version-9 record). */
  private static UserEvent expected(String id, String user, String type, Double value) {
    return new UserEvent(id, user, type, T, value == null ? Map.of() : Map.of("value", value));
  }

  /** {version, payload without a version field}: what producers of each version wrote. */
  private static final List<String[]> STREAM = List.of(
      new String[] {"1", "{\"event_id\":\"e1\",\"user\":\"user_1\",\"action\":\"click\",\"timestamp\":\"" + T + "\"}"},
      new String[] {"2", "{\"event_id\":\"e2\",\"user_id\":\"user_2\",\"event_type\":\"view\",\"timestamp\":\"" + T
          + "\",\"value\":4.5}"},
      new String[] {"3", "{\"event_id\":\"e3\",\"user_id\":\"user_3\",\"event_type\":\"purchase\",\"timestamp\":\"" + T
          + "\",\"properties\":{\"value\":99.5}}"},
      new String[] {"9", "{\"event_id\":\"e4\",\"subject\":{\"id\":\"user_4\"},\"kind\":\"click\",\"at\":\"" + T + "\"}"},
      new String[] {"2", "{\"event_id\":\"e5\",\"user_id\":\"user_5\",\"event_type\":\"click\",\"timestamp\":\"" + T
          + "\"}"});

  private static final List<UserEvent> CURRENT = List.of(expected("e1", "user_1", "click", null),
      expected("e2", "user_2", "view", 4.5), expected("e3", "user_3", "purchase", 99.5),
      expected("e5", "user_5", "click", null));

  private static byte[] withVersionField(String[] r) {
    return r[1].replaceFirst("\\{", "{\"schema_version\":" + r[0] + ",").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void only_current_events_reach_the_handler_and_the_future_version_is_a_dead_letter() {
    // Given: a pipeline that upcasts raw records, then hands them to its handler
    VersionedSerde<UserEvent> serde = UserEventVersions.inPayload();
    CollectingSink<UserEvent> handler = Sinks.collecting("handler");
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    Pipeline p = Pipeline.named("user-events", PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).build());
    p.from(Sources.collection("raw-user-events", List.<byte[]>of()))
        .map(serde::deserialize, Op.named("upcast"))
        .to(handler);

    // When: the mixed stream is piped in on virtual time
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      for (String[] r : STREAM) {
        driver.<byte[]>input("raw-user-events").pipe(withVersionField(r), T);
      }
      driver.endAllInputs();
    }

    // Then: the handler got v3 events only, in order, the old ones upcast
    assertThat(handler.values()).containsExactlyElementsOf(CURRENT);
    // and the v9 record is a dead letter with its bytes and the reason
    assertThat(dlq.values()).singleElement().satisfies(d -> {
      assertThat(d.errorClass()).isEqualTo(UnknownVersionException.class.getName());
      assertThat(d.errorMessage()).isEqualTo("unknown UserEvent version 9: newer than the current version 3 this "
          + "reader knows");
      assertThat(d.operator()).isEqualTo("upcast");
      assertThat(d.rawRecordText()).contains("\"e4\"");
    });
  }

  @Test
  void from_kafka_the_version_travels_in_a_header_and_records_without_one_are_version_1() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // Given: the same stream in a topic, the version in a header (none on the first record)
      kafka.createTopic("user-events-versions", 1);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        for (String[] r : STREAM) {
          ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>("user-events-versions",
              r[1].getBytes(StandardCharsets.UTF_8));
          if (!r[0].equals("1")) {
            rec.headers().add(SchemaHeaders.EVENT_VERSION, r[0].getBytes(StandardCharsets.UTF_8));
          }
          producer.send(rec).get();
        }
      }
      CollectingSink<UserEvent> handler = Sinks.collecting("handler");
      CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
      Pipeline p = Pipeline.named("user-events", PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq))
          .build());
      p.from(KafkaSource.builder("user-events-versions", UserEventVersions.inHeader())
              .bootstrapServers(kafka.bootstrapServers()).groupId("user-events").offsetReset(OffsetReset.EARLIEST)
              .bounded().build())
          .to(handler);

      // When: the pipeline reads the topic to its end
      try (PipelineHandle h = p.start()) {
        assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(h.failure()).isEmpty();
      }

      // Then: as above, and the dead letter keeps the record's offset and its version header
      assertThat(handler.values()).containsExactlyElementsOf(CURRENT);
      assertThat(dlq.values()).singleElement().satisfies(d -> {
        assertThat(d.position()).isEqualTo(3L);
        assertThat(d.errorMessage()).contains("unknown UserEvent version 9");
        assertThat(d.headers().lastString(SchemaHeaders.EVENT_VERSION)).isEqualTo("9");
      });
    }
  }
}
