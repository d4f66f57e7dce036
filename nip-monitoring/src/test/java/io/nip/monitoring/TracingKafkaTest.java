package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A trace continued across two pipelines through Kafka record headers, on a real KRaft broker. */
class TracingKafkaTest {
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static KafkaSource<String> source(String topic, String group) {
    return KafkaSource.builder(topic, Serdes.string()).bootstrapServers(kafka.bootstrapServers())
        .groupId(group).offsetReset(OffsetReset.EARLIEST).bounded().build();
  }

  private static void run(Pipeline pipeline) {
    try (PipelineHandle handle = pipeline.start()) {
      assertThat(handle.awaitTermination(Duration.ofSeconds(60))).isTrue();
    }
  }

  @Test
  void pipeline_b_continues_the_traces_of_pipeline_a_under_a_s_publish_span() {
    // Given: 20 records without headers on topic 1
    int count = 20;
    kafka.createTopic("trace-1", 2);
    kafka.createTopic("trace-2", 2);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()))) {
      for (int i = 0; i < count; i++) {
        p.send(new ProducerRecord<>("trace-1", "k" + i, "v" + i));
      }
    }
    // and two services, each with its own tracing manager and exporter, sampling every trace
    InMemorySpanExporter exportedByA = InMemorySpanExporter.create();
    InMemorySpanExporter exportedByB = InMemorySpanExporter.create();
    List<SpanData> spansA;
    List<SpanData> spansB;
    CollectingSink<String> outB = Sinks.collecting("out-b");
    try (TracingManager tracingA = TracingManager.builder("pipeline-a").exporter(exportedByA).build();
        TracingManager tracingB = TracingManager.builder("pipeline-b").exporter(exportedByB).build()) {

      // When: A reads topic 1, enriches under a span and writes topic 2 with propagate
      Pipeline a = Pipeline.named("pipeline-a");
      tracingA.trace("enrich").map(a.from(source("trace-1", "trace-a")), String::toUpperCase, Op.named("enrich"))
          .to(tracingA.propagate(KafkaSink.builder("trace-2", Serdes.string())
              .bootstrapServers(kafka.bootstrapServers()).build()));
      run(a);
      // and B reads topic 2 under its own traced step
      Pipeline b = Pipeline.named("pipeline-b");
      tracingB.trace("consume").map(b.from(source("trace-2", "trace-b")), v -> v + "!", Op.named("consume"))
          .to(outB);
      run(b);

      assertThat(tracingA.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(tracingB.flush(Duration.ofSeconds(10))).isTrue();
      spansA = exportedByA.getFinishedSpanItems();
      spansB = exportedByB.getFinishedSpanItems();
    }

    // Then: A recorded a root enrich span and a PRODUCER publish span under it per record
    assertThat(outB.values()).hasSize(count);
    Map<String, List<SpanData>> aByName = spansA.stream().collect(Collectors.groupingBy(SpanData::getName));
    assertThat(aByName.get("enrich")).hasSize(count)
        .allSatisfy(s -> assertThat(s.getParentSpanContext().isValid()).isFalse());
    Map<String, SpanData> enrichById = aByName.get("enrich").stream()
        .collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
    Map<String, SpanData> publishById = aByName.get("trace-2 publish").stream()
        .collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
    assertThat(publishById).hasSize(count);
    assertThat(publishById.values()).allSatisfy(publish -> {
      assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
      assertThat(enrichById.get(publish.getParentSpanId()).getTraceId()).isEqualTo(publish.getTraceId());
    });
    // and each of B's spans has A's trace id and A's publish span as its (remote) parent
    assertThat(spansB).hasSize(count).allSatisfy(consume -> {
      assertThat(consume.getName()).isEqualTo("consume");
      assertThat(consume.getParentSpanContext().isRemote()).isTrue();
      SpanData parent = publishById.get(consume.getParentSpanId());
      assertThat(parent).as("A's span %s", consume.getParentSpanId()).isNotNull();
      assertThat(consume.getTraceId()).isEqualTo(parent.getTraceId());
    });
    // and every trace A started is continued by exactly one of B's spans
    assertThat(spansB.stream().map(SpanData::getTraceId).distinct())
        .containsExactlyInAnyOrderElementsOf(enrichById.values().stream().map(SpanData::getTraceId).toList());
  }
}
