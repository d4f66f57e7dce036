package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaGroupTest {
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static Pipeline member(String name, CollectingSink<String> out) {
    KafkaSource<String> source = KafkaSource.builder("shared-in", Serdes.string())
        .bootstrapServers(kafka.bootstrapServers()).groupId("shared-group").offsetReset(OffsetReset.EARLIEST)
        .bounded().build();
    Pipeline p = Pipeline.named(name, PipelineConfig.builder().threads(1).commitInterval(Duration.ofMillis(200)).build());
    p.from(source).to(out);
    return p;
  }

  @Test
  void when_two_members_share_a_group_then_together_they_read_every_record_and_both_complete() throws Exception {
    kafka.createTopic("shared-in", 3);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()))) {
      for (int i = 0; i < 30_000; i++) {
        p.send(new ProducerRecord<>("shared-in", "k" + (i % 101), "r" + i));
      }
    }
    CollectingSink<String> outA = Sinks.collecting("a");
    CollectingSink<String> outB = Sinks.collecting("b");
    PipelineHandle a = member("member-a", outA).start();
    PipelineHandle b = member("member-b", outB).start();
    assertThat(a.awaitTermination(Duration.ofSeconds(60))).isTrue();
    assertThat(b.awaitTermination(Duration.ofSeconds(60))).isTrue();
    Set<String> all = new HashSet<>(outA.values());
    all.addAll(outB.values());
    assertThat(all).hasSize(30_000);
    assertThat(outA.size() + outB.size()).isGreaterThanOrEqualTo(30_000);
  }
}
