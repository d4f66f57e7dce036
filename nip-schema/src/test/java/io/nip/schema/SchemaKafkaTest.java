package io.nip.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The schema serdes through the Kafka source and sink of a running pipeline, on the embedded broker,
 * with the registry client talking HTTP to a registry server on 127.0.0.1.
 */
class SchemaKafkaTest {
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumerProperties("reader-" + topic),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void avro_records_written_by_one_schema_version_are_read_by_the_next_and_garbage_is_a_dead_letter()
      throws Exception {
    try (RegistryServer registry = new RegistryServer()) {
      // Given: a pipeline writes 20 version-1 payments in the Confluent wire format
      kafka.createTopic("payments", 2);
      SchemaRegistryClient writerClient = SchemaRegistryClient.http(registry.url());
      List<GenericRecord> payments = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        payments.add(AvroSerdeTest.v1("p" + i));
      }
      Pipeline writer = Pipeline.named("payments-writer");
      writer.from(Sources.collection("payments-in", payments)).to(KafkaSink.builder("payments",
          AvroSerdes.confluent(AvroSerdeTest.V1, writerClient, "payments-value"))
          .bootstrapServers(kafka.bootstrapServers()).build());
      try (PipelineHandle h = writer.start()) {
        assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
      }
      // and another producer writes one record that is no Avro at all
      try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        p.send(new ProducerRecord<>("payments", 0, null, "{\"id\":\"p99\"}".getBytes(StandardCharsets.UTF_8))).get();
      }

      // When: a consumer with version 2 of the schema (user renamed user_id) reads the topic
      CollectingSink<String> users = Sinks.collecting("users");
      CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
      Pipeline reader = Pipeline.named("payments-reader",
          PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).build());
      reader.from(KafkaSource.builder("payments", AvroSerdes.confluent(AvroSerdeTest.V2_RENAMED,
              SchemaRegistryClient.http(registry.url()), "payments-value"))
              .bootstrapServers(kafka.bootstrapServers()).groupId("payments-reader")
              .offsetReset(OffsetReset.EARLIEST).bounded().build())
          .map(r -> r.get("id") + "/" + r.get("user_id"))
          .to(users);
      try (PipelineHandle h = reader.start()) {
        assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(h.failure()).isEmpty();
      }

      // Then: every payment arrives under the new field name; the garbage is a dead letter with the reason
      assertThat(users.values()).hasSize(20).contains("p0/user_7", "p19/user_7");
      assertThat(dlq.values()).singleElement().satisfies(d -> {
        assertThat(d.errorMessage()).contains("not the Confluent wire format");
        assertThat(d.rawRecordText()).isEqualTo("{\"id\":\"p99\"}");
      });
      // and the written records name their format and schema id in headers
      ConsumerRecord<byte[], byte[]> avro = readAll("payments", 21).stream().filter(r -> r.value()[0] == 0)
          .findFirst().orElseThrow();
      assertThat(header(avro, SchemaHeaders.CONTENT_TYPE)).isEqualTo("application/vnd.confluent.avro");
      assertThat(header(avro, SchemaHeaders.SCHEMA_ID)).isEqualTo("1");
    }
  }

  @Test
  void a_json_schema_violation_read_from_kafka_is_a_dead_letter_naming_the_path() throws Exception {
    // Given: three orders in a topic, the second without items
    kafka.createTopic("orders", 1);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String s : List.of("{\"order_id\":\"o1\",\"amount\":1,\"items\":[{\"sku\":\"a\",\"quantity\":1}]}",
          "{\"order_id\":\"o2\",\"amount\":2}",
          "{\"order_id\":\"o3\",\"amount\":3,\"items\":[{\"sku\":\"b\",\"quantity\":2}]}")) {
        p.send(new ProducerRecord<>("orders", s.getBytes(StandardCharsets.UTF_8))).get();
      }
    }
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    kafka.createTopic("orders-valid", 1);
    Pipeline p = Pipeline.named("orders", PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).build());
    p.from(KafkaSource.builder("orders", SchemaSerdes.json(Order.class)
            .validatedBy(JsonSchema.fromClasspath("/schemas/order.schema.json")))
            .bootstrapServers(kafka.bootstrapServers()).groupId("orders").offsetReset(OffsetReset.EARLIEST)
            .bounded().build())
        .to(KafkaSink.builder("orders-valid", SchemaSerdes.json(Order.class)).bootstrapServers(kafka.bootstrapServers())
            .build());

    // When: it runs
    try (PipelineHandle h = p.start()) {
      assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
    }

    // Then: the valid two go on, with content-type headers; the other is a dead letter at offset 1
    List<ConsumerRecord<byte[], byte[]>> valid = readAll("orders-valid", 2);
    assertThat(valid).hasSize(2);
    assertThat(header(valid.get(0), SchemaHeaders.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(dlq.values()).singleElement().satisfies(d -> {
      assertThat(d.position()).isEqualTo(1L);
      assertThat(d.errorMessage()).contains("$ [required]").contains("items");
    });
  }
}
