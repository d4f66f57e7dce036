package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.errors.ErrorPolicy;
import io.nip.kafka.embedded.EmbeddedKafka;
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
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaSourceSinkTest {
  static EmbeddedKafka kafka;

  record Order(String id, String customer, double amount) {}

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  static void produce(String topic, List<String> values) {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()))) {
      for (int i = 0; i < values.size(); i++) {
        p.send(new ProducerRecord<>(topic, "k" + (i % 17), values.get(i)));
      }
    }
  }

  static List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties("reader-" + topic));
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
      c.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 20_000;
      while (out.size() < expected && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      c.poll(Duration.ofMillis(300)).forEach(out::add);
    }
    return out;
  }

  @Test
  void a_bounded_job_reads_every_partition_writes_results_and_dead_letters_and_commits_its_offsets() throws Exception {
    kafka.createTopic("orders", 3);
    kafka.createTopic("big-orders", 3);
    kafka.createTopic("orders-dlq", 1);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      lines.add(i % 500 == 7 ? "{not json " + i : "{\"id\":\"o" + i + "\",\"customer\":\"c" + (i % 13) + "\",\"amount\":" + i + "}");
    }
    produce("orders", lines);

    KafkaSource<Order> source = KafkaSource.builder("orders", Serdes.json(Order.class))
        .bootstrapServers(kafka.bootstrapServers()).groupId("orders-job").offsetReset(OffsetReset.EARLIEST)
        .bounded().build();
    KafkaSink<Order> sink = KafkaSink.builder("big-orders", Serdes.json(Order.class))
        .bootstrapServers(kafka.bootstrapServers()).key(Order::customer).build();
    Pipeline p = Pipeline.named("orders-job", PipelineConfig.builder().threads(2)
        .errorPolicy(ErrorPolicy.deadLetter(KafkaDeadLetterSink.create("orders-dlq", kafka.bootstrapServers())))
        .build());
    p.from(source).filter(o -> o.amount() >= 1000).to(sink);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();

    List<ConsumerRecord<String, String>> out = readAll("big-orders", 1996);
    assertThat(out).hasSize(1996);
    assertThat(out.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).hasSize(13);

    List<ConsumerRecord<String, String>> dlq = readAll("orders-dlq", 6);
    assertThat(dlq).hasSize(6);
    ConsumerRecord<String, String> first = dlq.get(0);
    assertThat(first.value()).startsWith("{not json");
    Map<String, String> headers = new HashMap<>();
    for (Header hd : first.headers()) {
      headers.put(hd.key(), new String(hd.value(), StandardCharsets.UTF_8));
    }
    assertThat(headers).containsKeys("nip.error.class", "nip.error.message", "nip.partition", "nip.offset")
        .containsEntry("nip.source", "orders");

    assertCommittedAtEnd("orders-job", "orders", 3);
  }

  @Test
  void a_bounded_job_over_a_transactionally_written_topic_ends_past_the_commit_markers() throws Exception {
    // Given: 3 transactions of 100 records each over 2 partitions; each commit leaves a marker
    // record at the end of the partition, which consumers never see
    kafka.createTopic("tx-orders", 2);
    Map<String, Object> props = new HashMap<>(kafka.producerProperties());
    props.put("transactional.id", "tx-orders-writer");
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
      p.initTransactions();
      for (int t = 0; t < 3; t++) {
        p.beginTransaction();
        for (int i = 0; i < 100; i++) {
          int n = t * 100 + i;
          p.send(new ProducerRecord<>("tx-orders", "k" + (n % 7),
              "{\"id\":\"o" + n + "\",\"customer\":\"c\",\"amount\":" + n + "}"));
        }
        p.commitTransaction();
      }
    }
    KafkaSource<Order> source = KafkaSource.builder("tx-orders", Serdes.json(Order.class))
        .bootstrapServers(kafka.bootstrapServers()).groupId("tx-job").offsetReset(OffsetReset.EARLIEST)
        .bounded().build();
    io.nip.sink.CollectingSink<Order> out = io.nip.sink.Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("tx-job", PipelineConfig.builder().threads(2).build());
    pipeline.from(source).to(out);

    // When
    PipelineHandle h = pipeline.start();

    // Then: the job completes with every record once, and commits the end offsets (markers included)
    assertThat(h.awaitTermination(Duration.ofSeconds(60))).as("bounded job ended").isTrue();
    assertThat(out.values()).hasSize(300).extracting(Order::id).doesNotHaveDuplicates();
    assertCommittedAtEnd("tx-job", "tx-orders", 2);
  }

  /** The group has committed the end offset of every partition of the topic. */
  static void assertCommittedAtEnd(String group, String topic, int partitions) {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(new HashMap<>(kafka.consumerProperties(group)))) {
      Set<TopicPartition> tps = new java.util.HashSet<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      Map<TopicPartition, OffsetAndMetadata> committed = c.committed(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      for (TopicPartition tp : tps) {
        assertThat(committed.get(tp)).as("committed offset of %s", tp).isNotNull();
        assertThat(committed.get(tp).offset()).as("committed offset of %s", tp).isEqualTo(ends.get(tp));
      }
    }
  }
}
