package io.nip.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The code of this module's README, between tag markers (ReadmeSnippetsTest in nip-examples checks
 * that each README block equals its tagged region): the first example runs here on its own broker.
 */
class EmbeddedKafkaReadmeTest {

  @Test
  void the_readmes_example_writes_a_record_and_a_new_group_reads_it() {
    assertThat(readmeExample()).containsExactly("user-1={\"page\":\"/home\"}");
  }

  private static List<String> readmeExample() {
    // tag::start[]
    List<String> received = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopic("clicks", 3);
      kafka.createTopic("user-state", 3, Map.of("cleanup.policy", "compact"));

      try (var producer = new KafkaProducer<String, String>(kafka.producerProperties())) {
        producer.send(new ProducerRecord<>("clicks", "user-1", "{\"page\":\"/home\"}"));
      }
      try (var consumer = new KafkaConsumer<String, String>(kafka.consumerProperties("my-group"))) {
        consumer.subscribe(List.of("clicks"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received.isEmpty() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            received.add(r.key() + "=" + r.value());
          }
        }
      }
    }
    // end::start[]
    return received;
  }

  /** The README's second example; compiled, not run (a second broker would only slow the build). */
  static EmbeddedKafka withSettings() {
    // tag::builder[]
    EmbeddedKafka kafka = EmbeddedKafka.builder()
        .brokerProperty("log.retention.ms", "60000")
        .timeout(Duration.ofSeconds(30))
        .start();
    // end::builder[]
    return kafka;
  }
}
