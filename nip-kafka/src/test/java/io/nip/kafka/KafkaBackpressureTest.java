package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaBackpressureTest {
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void when_processing_is_slower_than_fetching_then_lag_is_reported_and_nothing_is_lost() throws Exception {
    kafka.createTopic("slow-in", 2);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()))) {
      for (int i = 0; i < 4000; i++) {
        p.send(new ProducerRecord<>("slow-in", Integer.toString(i), "\"v" + i + "\""));
      }
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    KafkaSource<String> source = KafkaSource.builder("slow-in", Serdes.json(String.class))
        .bootstrapServers(kafka.bootstrapServers()).groupId("slow").offsetReset(OffsetReset.EARLIEST)
        .maxBufferedRecords(50).bounded().build();
    CollectingSink<String> out = Sinks.collecting("out");
    AtomicLong maxLag = new AtomicLong();
    Pipeline pipeline = Pipeline.named("slow", PipelineConfig.builder().threads(1).batchSize(20)
        .meterRegistry(registry).build());
    pipeline.from(source).peek(v -> {
      if (v.endsWith("00")) {
        for (Gauge g : registry.find("nip.kafka.consumer.lag").gauges()) {
          if (!Double.isNaN(g.value())) {
            maxLag.accumulateAndGet((long) g.value(), Math::max);
          }
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }).to(out);
    PipelineHandle h = pipeline.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
    assertThat(out.size()).isEqualTo(4000);
    assertThat(out.values()).doesNotHaveDuplicates();
    assertThat(maxLag.get()).isGreaterThan(0);
    assertThat(registry.find("nip.kafka.consumer.lag").gauges()).hasSize(2);
  }
}
