package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
import io.nip.time.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The tutorial's user_profile_joiner against the embedded broker, with a compacted profiles topic. */
class UserProfileJoinerTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  @Test
  void each_event_joins_the_profile_its_user_had_when_it_happened() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // Given profiles (record time = when they changed; the platinum upgrade and the deletion of
      // user_2 are written after the events they precede or follow in event time) and six events
      kafka.createTopic(UserProfileJoiner.EVENTS_TOPIC, 3);
      kafka.createTopic(UserProfileJoiner.PROFILES_TOPIC, 1, Map.of("cleanup.policy", "compact"));
      kafka.createTopic(UserProfileJoiner.OUTPUT_TOPIC, 3);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.producerProperties())) {
        profile(p, "user_1", T0, "{\"user_id\":\"user_1\",\"attributes\":{\"tier\":\"gold\"}}");
        profile(p, "user_2", T0, "{\"user_id\":\"user_2\",\"attributes\":{\"tier\":\"silver\"}}");
        event(p, "e1", "user_1", T0.plusSeconds(30));
        event(p, "e2", "user_1", T0.plusSeconds(90));
        event(p, "e3", "user_2", T0.plusSeconds(60));
        event(p, "e4", "user_2", T0.plusSeconds(150));
        event(p, "e5", "user_3", T0.plusSeconds(10));
        event(p, "e6", "user_1", T0.minusSeconds(10));
        profile(p, "user_1", T0.plusSeconds(60), "{\"user_id\":\"user_1\",\"attributes\":{\"tier\":\"platinum\"}}");
        profile(p, "user_2", T0.plusSeconds(120), null); // tombstone
        p.send(new ProducerRecord<>(UserProfileJoiner.EVENTS_TOPIC, "user_9", "{not json"));
      }

      // When the joiner runs as a bounded job
      ManualClock clock = new ManualClock(T0.plusSeconds(3600));
      var h = UserProfileJoiner.pipeline(kafka.bootstrapServers(), "joiner-test", true, clock).start();
      assertThat(h.awaitTermination(Duration.ofSeconds(90))).isTrue();
      assertThat(h.failure()).isEmpty();

      // Then each good event is written once, keyed by its user, with the profile as of its time
      Map<String, String> tierByEvent = new HashMap<>();
      Map<String, Object> props = new HashMap<>(kafka.consumerProperties("reader"));
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
        c.subscribe(java.util.List.of(UserProfileJoiner.OUTPUT_TOPIC));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (tierByEvent.size() < 6 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
            UserProfileJoiner.EnrichedEvent e = Serdes.json(UserProfileJoiner.EnrichedEvent.class)
                .deserialize(r.value().getBytes(StandardCharsets.UTF_8));
            assertThat(r.key()).isEqualTo(e.event().userId());
            assertThat(e.joinedAt()).isEqualTo(clock.instant());
            assertThat(tierByEvent.put(e.event().eventId(),
                e.profile() == null ? "none" : (String) e.profile().attributes().get("tier"))).isNull();
          }
        }
      }
      assertThat(tierByEvent).containsExactlyInAnyOrderEntriesOf(Map.of(
          "e1", "gold", "e2", "platinum", "e3", "silver", "e4", "none", "e5", "none", "e6", "none"));
    }
  }

  private static void profile(KafkaProducer<String, String> p, String user, Instant at, String json) {
    p.send(new ProducerRecord<>(UserProfileJoiner.PROFILES_TOPIC, null, at.toEpochMilli(), user, json));
  }

  private static void event(KafkaProducer<String, String> p, String id, String user, Instant at) {
    p.send(new ProducerRecord<>(UserProfileJoiner.EVENTS_TOPIC, user, "{\"event_id\":\"" + id + "\",\"user_id\":\""
        + user + "\",\"event_type\":\"click\",\"timestamp\":\"" + at + "\"}"));
  }
}
