package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.state.CheckpointStorage;
import io.nip.state.ValueState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A keyed count over a topic, stopped and restarted from its checkpoint storage while the group's
 * committed offsets say something else: the restarted pipeline reads from the checkpoint's
 * positions, so together the two runs count every record exactly once.
 */
class KafkaCheckpointRestoreTest {
  static final int PARTITIONS = 3;
  static final int KEYS = 13;
  static final int FIRST = 6_000;
  static final int SECOND = 4_000;
  static EmbeddedKafka kafka;

  /** What happened to the group's committed offsets between the runs. */
  enum GroupOffsets {
    /** Moved back to the beginning: what a crash between a checkpoint and its commit leaves, and worse. */
    RESET_TO_BEGINNING,
    /** Moved to the end: the committed offsets would skip what arrived after the checkpoint. */
    MOVED_TO_END,
    /** The restarted pipeline uses a new group, which has no committed offsets (earliest applies). */
    NEW_GROUP
  }

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }


  static void produce(String topic, int from, int to) {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = from; i < to; i++) {
        String key = "k" + (i % KEYS);
        p.send(new ProducerRecord<>(topic, key, key + ":" + i));
      }
    }
  }

  static Pipeline counting(String topic, String group, Path checkpoints, CollectingSink<Map.Entry<String, Long>> out) {
    KafkaSource<String> source = KafkaSource.builder(topic, Serdes.string()).bootstrapServers(kafka.bootstrapServers())
        .groupId(group).offsetReset(OffsetReset.EARLIEST).build();
    Pipeline p = Pipeline.named("kafka-restore", PipelineConfig.builder().threads(2).parallelism(2)
        .commitInterval(Duration.ofMillis(50)).checkpointStorage(CheckpointStorage.localDirectory(checkpoints)).build());
    p.from(source)
        .keyBy(v -> v.substring(0, v.indexOf(':')), Serdes.string())
        .process((KeyedProcessor<String, String, Map.Entry<String, Long>>) (key, value, ctx) -> {
          ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
          count.update(count.valueOr(0L) + 1);
          ctx.emit(Map.entry(key, count.value()));
        }, Op.named("counter"))
        .to(out);
    return p;
  }

  static Set<TopicPartition> partitions(String topic) {
    return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
  }

  static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions(topic).forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
        .forEach((tp, o) -> out.put(tp, o == null ? null : o.offset()));
    return out;
  }

  static void alterOffsets(Admin admin, String group, Map<TopicPartition, Long> offsets) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> o = new HashMap<>();
    offsets.forEach((tp, off) -> o.put(tp, new OffsetAndMetadata(off)));
    admin.alterConsumerGroupOffsets(group, o).all().get();
  }

  @ParameterizedTest(name = "group offsets between the runs: {0}")
  @EnumSource(GroupOffsets.class)
  void when_a_pipeline_restarts_from_its_checkpoint_then_it_reads_from_the_checkpoint_positions_and_counts_each_record_once(
      GroupOffsets change, @TempDir Path checkpoints) throws Exception {
    String topic = "restore-" + change.name().toLowerCase();
    String group = topic + "-group";
    kafka.createTopic(topic, PARTITIONS);
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      // Given: a counting pipeline that read the first records of the topic and was stopped (final checkpoint)
      produce(topic, 0, FIRST);
      CollectingSink<Map.Entry<String, Long>> out1 = Sinks.collecting("out");
      PipelineHandle first = counting(topic, group, checkpoints, out1).start();
      await().atMost(Duration.ofSeconds(60)).until(() -> out1.size() >= FIRST);
      first.stop();
      assertThat(first.awaitTermination(Duration.ofSeconds(30))).isTrue();
      assertThat(first.status()).isEqualTo(PipelineHandle.Status.COMPLETED);

      // When: more records arrive, the group's committed offsets change, and a fresh pipeline restarts
      // with the same checkpoint storage
      produce(topic, FIRST, FIRST + SECOND);
      Map<TopicPartition, Long> ends = endOffsets(admin, topic);
      String restartGroup = group;
      switch (change) {
        case RESET_TO_BEGINNING -> alterOffsets(admin, group, ends.keySet().stream()
            .collect(Collectors.toMap(tp -> tp, tp -> 0L)));
        case MOVED_TO_END -> alterOffsets(admin, group, ends);
        case NEW_GROUP -> restartGroup = group + "-new";
      }
      CollectingSink<Map.Entry<String, Long>> out2 = Sinks.collecting("out");
      PipelineHandle second = counting(topic, restartGroup, checkpoints, out2).start();
      String g = restartGroup;
      await().atMost(Duration.ofSeconds(60)).until(() -> out1.size() + out2.size() >= FIRST + SECOND
          && ends.equals(committed(admin, g)));
      second.stop();
      assertThat(second.awaitTermination(Duration.ofSeconds(30))).isTrue();

      // Then: the two runs together counted every record once: one output per record, and the last
      // count of every key equals the reference computed from the input
      List<Map.Entry<String, Long>> all = new ArrayList<>(out1.values());
      all.addAll(out2.values());
      assertThat(all).hasSize(FIRST + SECOND).doesNotHaveDuplicates();
      Map<String, Long> finalCounts = new HashMap<>();
      all.forEach(e -> finalCounts.merge(e.getKey(), e.getValue(), Math::max));
      Map<String, Long> reference = new HashMap<>();
      for (int i = 0; i < FIRST + SECOND; i++) {
        reference.merge("k" + (i % KEYS), 1L, Long::sum);
      }
      assertThat(finalCounts).isEqualTo(reference);
    }
  }
}
