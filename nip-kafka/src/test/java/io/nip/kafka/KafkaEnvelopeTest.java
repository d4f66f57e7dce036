package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConnectorException;
import io.nip.event.Headers;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The record envelope (key, headers) from a Kafka topic through a pipeline to Kafka topics, and start-time discovery. */
class KafkaEnvelopeTest {
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void produce(String topic, int count) {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()))) {
      for (int i = 0; i < count; i++) {
        RecordHeaders h = new RecordHeaders();
        h.add("trace", utf8("t" + i));
        h.add("tag", utf8("a"));
        h.add("tag", utf8("b"));
        p.send(new ProducerRecord<>(topic, null, "k" + i, "v" + i, h));
      }
    }
  }

  private static List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(kafka.consumerProperties("reader-" + topic))) {
      c.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 20_000;
      while (out.size() < expected && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** @return "key|name=value,name=value" of a written record, headers in order */
  private static String envelope(ConsumerRecord<String, String> r) {
    List<String> hs = new ArrayList<>();
    for (Header h : r.headers()) {
      hs.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
    }
    return r.key() + "|" + String.join(",", hs);
  }

  @Test
  void keys_and_headers_travel_from_the_source_topic_through_the_pipeline_to_the_sink_topics() throws Exception {
    // Given: 40 records over 2 partitions, each with a key and three headers (one name repeated)
    kafka.createTopic("env-in", 2);
    kafka.createTopic("env-direct", 1);
    kafka.createTopic("env-keyed", 1);
    produce("env-in", 40);
    KafkaSource<String> source = KafkaSource.builder("env-in", Serdes.string())
        .bootstrapServers(kafka.bootstrapServers()).groupId("env-job").offsetReset(OffsetReset.EARLIEST)
        .keySerde(Serdes.string()).bounded().build();
    KafkaSink<String> direct = KafkaSink.builder("env-direct", Serdes.string())
        .bootstrapServers(kafka.bootstrapServers())
        .extraHeaders(v -> Headers.of("producer", utf8("nip"))).build();
    KafkaSink<String> keyed = KafkaSink.builder("env-keyed", Serdes.string())
        .bootstrapServers(kafka.bootstrapServers()).build();
    Pipeline p = Pipeline.named("env-job", PipelineConfig.builder().threads(2).parallelism(3).build());
    var in = p.from(source).withHeaders((v, h) -> h.with("seen", v));

    // When: one branch writes as read; the other is keyed by the value's parity across the exchange
    in.to(direct);
    in.keyBy(v -> Integer.parseInt(v.substring(1)) % 2 == 0 ? "even" : "odd")
        .process((KeyedProcessor<String, String, String>) (k, v, ctx) -> ctx.emit(v))
        .withHeaders((v, h) -> h.without("tag"))
        .to(keyed);
    PipelineHandle handle = p.start();
    assertThat(handle.awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then: the source key and every source header (repeats and order kept) reach the direct topic,
    // followed by the pipeline's header and the sink's extra header
    Map<String, String> directByValue = readAll("env-direct", 40).stream()
        .collect(Collectors.toMap(ConsumerRecord::value, KafkaEnvelopeTest::envelope, (a, b) -> a, TreeMap::new));
    assertThat(directByValue).hasSize(40)
        .containsEntry("v7", "k7|trace=t7,tag=a,tag=b,seen=v7,producer=nip")
        .containsEntry("v30", "k30|trace=t30,tag=a,tag=b,seen=v30,producer=nip");
    // and the keyed branch writes the keyBy key, with the headers each record carried across the exchange
    Map<String, String> keyedByValue = readAll("env-keyed", 40).stream()
        .collect(Collectors.toMap(ConsumerRecord::value, KafkaEnvelopeTest::envelope, (a, b) -> a, TreeMap::new));
    assertThat(keyedByValue).hasSize(40)
        .containsEntry("v7", "odd|trace=t7,seen=v7")
        .containsEntry("v30", "even|trace=t30,seen=v30");
  }

  @Test
  void building_against_an_unreachable_cluster_does_no_io_and_starting_reports_a_connector_error() {
    // Given: nothing listens on port 1; the admin client gives up after 3 s
    KafkaSource<String> source = KafkaSource.builder("nowhere", Serdes.string())
        .bootstrapServers("127.0.0.1:1").groupId("nowhere-job")
        .consumerProperty("default.api.timeout.ms", 3000).consumerProperty("request.timeout.ms", 1000).build();
    KafkaSink<String> sink = KafkaSink.builder("nowhere-out", Serdes.string()).bootstrapServers("127.0.0.1:1").build();

    // When: the pipeline is built
    long before = System.nanoTime();
    Pipeline p = Pipeline.named("nowhere-job");
    p.from(source).map(String::trim).to(sink);
    long buildMillis = (System.nanoTime() - before) / 1_000_000;

    // Then: building returned without contacting the cluster (well under the 3 s discovery timeout)
    assertThat(buildMillis).isLessThan(1500);
    // and starting fails with a connector error that names the source, the topic and the address
    assertThatThrownBy(p::start).isInstanceOf(ConnectorException.class)
        .hasMessageContaining("kafka source 'nowhere'").hasMessageContaining("[nowhere]")
        .hasMessageContaining("127.0.0.1:1");
  }
}
