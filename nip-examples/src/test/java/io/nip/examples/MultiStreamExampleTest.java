package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
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

/** The tutorial's multi-stream snippet on three topics of the embedded broker, one consumer group. */
class MultiStreamExampleTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  @Test
  void the_aggregator_counts_user_and_system_events_per_minute_and_every_handler_sees_its_stream() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // Given, in minute 0, 5 user events, 2 system events and 3 metrics; in minute 1, 1 user and 4 system events
      MultiStreamExample.TOPICS.values().forEach(t -> kafka.createTopic(t, 2));
      kafka.createTopic(MultiStreamExample.OUTPUT_TOPIC, 1);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.producerProperties())) {
        send(p, "user-events", 5, T0);
        send(p, "system-events", 2, T0.plusSeconds(20));
        send(p, "metrics", 3, T0.plusSeconds(5));
        send(p, "user-events", 1, T0.plusSeconds(61));
        send(p, "system-events", 4, T0.plusSeconds(90));
      }

      // When the processor runs as a bounded job
      MultiStreamExample example = new MultiStreamExample(kafka.bootstrapServers(), "multi-consumer", true);
      var h = example.pipeline().start();
      assertThat(h.awaitTermination(Duration.ofSeconds(90))).isTrue();
      assertThat(h.failure()).isEmpty();

      // Then each minute's counts are written once, and each handler saw its whole stream
      List<Map<String, Object>> out = new ArrayList<>();
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(new HashMap<>(kafka.consumerProperties("reader")))) {
        c.subscribe(List.of(MultiStreamExample.OUTPUT_TOPIC));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (out.size() < 2 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
            out.add(Serdes.jsonMap().deserialize(r.value().getBytes(StandardCharsets.UTF_8)));
          }
        }
      }
      assertThat(out).extracting(m -> m.get("timestamp") + " " + m.get("user_events") + "+" + m.get("system_events")
          + "=" + m.get("total")).containsExactlyInAnyOrder("2026-01-17T17:01:00Z 5+2=7", "2026-01-17T17:02:00Z 1+4=5");
      assertThat(example.handled()).containsExactlyInAnyOrderEntriesOf(
          Map.of("user_events", 6L, "system_events", 6L, "metrics", 3L));
    }
  }

  private static void send(KafkaProducer<String, String> p, String topic, int n, Instant at) {
    for (int i = 0; i < n; i++) {
      p.send(new ProducerRecord<>(topic, null, at.plusMillis(i).toEpochMilli(), "k" + i,
          "{\"type\":\"" + topic + "\",\"n\":" + i + "}"));
    }
  }
}
