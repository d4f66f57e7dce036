package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.kafka.OffsetReset;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
import io.nip.time.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaEventConsumerTest {

  @Test
  void when_user_events_are_in_the_topic_then_each_reaches_processed_events_enriched_and_keyed_by_user() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // Given 1,000 user events and one bad line in user-events
      kafka.createTopic(KafkaEventConsumer.INPUT_TOPIC, 3);
      kafka.createTopic(KafkaEventConsumer.OUTPUT_TOPIC, 3);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.producerProperties())) {
        for (int i = 0; i < 1000; i++) {
          p.send(new ProducerRecord<>(KafkaEventConsumer.INPUT_TOPIC, "user_" + (i % 50), "{\"event_id\":\"e" + i
              + "\",\"user_id\":\"user_" + (i % 50) + "\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:00Z\","
              + "\"properties\":{\"value\":" + i + "}}"));
        }
        p.send(new ProducerRecord<>(KafkaEventConsumer.INPUT_TOPIC, "broken", "{not json"));
      }
      ManualClock clock = new ManualClock(Instant.parse("2026-01-17T17:30:00Z"));

      // When the consumer runs as a bounded job
      var h = KafkaEventConsumer.pipeline(kafka.bootstrapServers(), "nip-consumer-group", OffsetReset.EARLIEST, true,
          clock).start();
      assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();

      // Then every good event is in processed-events once, keyed by its user, with the two new properties
      List<ConsumerRecord<String, String>> out = new ArrayList<>();
      Map<String, Object> props = new HashMap<>(kafka.consumerProperties("reader"));
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
        c.subscribe(List.of(KafkaEventConsumer.OUTPUT_TOPIC));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (out.size() < 1000 && System.nanoTime() < deadline) {
          c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
      }
      assertThat(out).hasSize(1000);
      assertThat(out).allSatisfy(r -> {
        UserEvent e = Serdes.json(UserEvent.class).deserialize(r.value().getBytes(StandardCharsets.UTF_8));
        assertThat(r.key()).isEqualTo(e.userId());
        assertThat(e.properties()).containsEntry("processed_at", "2026-01-17T17:30:00Z")
            .containsEntry("processing_node", BasicEventConsumer.NODE);
      });
      assertThat(out.stream().map(ConsumerRecord::value).distinct()).hasSize(1000);
    }
  }
}
