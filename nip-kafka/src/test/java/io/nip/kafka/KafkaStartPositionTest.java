package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.event.Headers;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.time.NipClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reader created at a position (a checkpoint's) starts its partition there at the partition's
 * next assignment to this member, whatever the group committed; later assignments start at the
 * committed offset again.
 */
class KafkaStartPositionTest {
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  /** Writes "p<partition>-<i>" for i in [0, count) to every partition. */

  static void produce(String topic, int partitions, int count) {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.producerProperties())) {
      for (int partition = 0; partition < partitions; partition++) {
        for (int i = 0; i < count; i++) {
          p.send(new ProducerRecord<>(topic, partition, "k", "\"p" + partition + "-" + i + "\""));
        }
      }
    }
  }

  /** Commits offsets for a group that has no active member. */
  static void commitForGroup(String group, Map<TopicPartition, Long> offsets) {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(kafka.consumerProperties(group))) {
      Map<TopicPartition, OffsetAndMetadata> o = new HashMap<>();
      offsets.forEach((tp, off) -> o.put(tp, new OffsetAndMetadata(off)));
      c.commitSync(o);
    }
  }

  static Map<TopicPartition, OffsetAndMetadata> committed(String group, Set<TopicPartition> tps) {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(kafka.consumerProperties(group))) {
      return c.committed(tps);
    }
  }

  /** Collects the offsets a reader emits. */
  static final class Offsets implements SourceOutput<String> {
    final List<Long> offsets = new ArrayList<>();

    @Override
    public void emit(String value, Object key, Headers headers, byte[] rawBytes, long offset, long sourceTimestampMillis) {
      offsets.add(offset);
    }

    @Override
    public void emit(String value, Object key, Headers headers, byte[] rawBytes, SourcePosition position,
        long sourceTimestampMillis) {
      throw new AssertionError("kafka positions are offsets, got " + position);
    }

    @Override
    public void fail(byte[] rawBytes, SourcePosition position, Throwable error) {
      throw new AssertionError("unexpected bad record at " + position, error);
    }
  }

  static KafkaSource<String> source(String topic, String group) {
    return KafkaSource.builder(topic, Serdes.json(String.class)).bootstrapServers(kafka.bootstrapServers())
        .groupId(group).offsetReset(OffsetReset.EARLIEST)
        .consumerProperty(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200).build();
  }

  static SourceContext context() {
    return new SourceContext("start-position", NipClock.system(), new SimpleMeterRegistry());
  }

  /** Polls until the reader emitted {@code count} records in all. */
  static void readUntil(SourceReader<String> reader, Offsets out, int count) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      reader.poll(out, 1000);
      return out.offsets.size() >= count;
    });
  }

  @Test
  void when_a_reader_starts_at_a_position_then_its_first_assignment_starts_there_not_at_the_committed_offset() {
    // Given: 100 records and a group that committed offset 10
    kafka.createTopic("start-first", 1);
    produce("start-first", 1, 100);
    TopicPartition tp = new TopicPartition("start-first", 0);
    commitForGroup("start-first", Map.of(tp, 10L));

    // When: the reader is created at position 60
    SourceReader<String> reader = source("start-first", "start-first").createReader(0, context(),
        SourcePosition.ofOffset(60));
    Offsets out = new Offsets();
    try {
      assertThat(reader.position()).isEqualTo(SourcePosition.ofOffset(60));
      readUntil(reader, out, 40);

      // Then: it reads 60..99, once each, and its position is past the last one
      assertThat(out.offsets).hasSize(40).startsWith(60L).endsWith(99L).doesNotHaveDuplicates();
      assertThat(reader.position()).isEqualTo(SourcePosition.ofOffset(100));
    } finally {
      reader.close();
    }
  }

  @Test
  void when_the_partition_was_assigned_before_the_reader_was_created_then_the_reader_still_starts_at_its_position() {
    // Given: a source whose fetcher already owns both partitions and reads partition 0 from the start
    kafka.createTopic("start-late", 2);
    produce("start-late", 2, 100);
    KafkaSource<String> source = source("start-late", "start-late");
    SourceReader<String> first = source.createReader(0, context(), SourcePosition.NONE);
    Offsets out0 = new Offsets();
    Offsets out1 = new Offsets();
    SourceReader<String> second = null;
    try {
      readUntil(first, out0, 100);

      // When: the reader of partition 1 is created at 70 after the assignment (its buffer holds records from 0)
      second = source.createReader(1, context(), SourcePosition.ofOffset(70));
      readUntil(second, out1, 30);

      // Then: partition 0 was read from the committed start, partition 1 from 70, each record once
      assertThat(out0.offsets).hasSize(100).startsWith(0L).doesNotHaveDuplicates();
      assertThat(out1.offsets).hasSize(30).startsWith(70L).endsWith(99L).doesNotHaveDuplicates();
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }

  @Test
  void when_a_partition_is_assigned_again_after_a_rebalance_then_it_starts_at_the_committed_offset() {
    // Given: two partitions read from position 40 each, with offset 70 committed for both
    kafka.createTopic("start-again", 2);
    produce("start-again", 2, 100);
    KafkaSource<String> source = source("start-again", "start-again");
    List<SourceReader<String>> readers = List.of(
        source.createReader(0, context(), SourcePosition.ofOffset(40)),
        source.createReader(1, context(), SourcePosition.ofOffset(40)));
    List<Offsets> outs = List.of(new Offsets(), new Offsets());
    try {
      for (int p = 0; p < 2; p++) {
        readUntil(readers.get(p), outs.get(p), 60);
        assertThat(outs.get(p).offsets).hasSize(60).startsWith(40L).endsWith(99L);
        readers.get(p).commit(SourcePosition.ofOffset(70));
      }
      Set<TopicPartition> both = Set.of(new TopicPartition("start-again", 0), new TopicPartition("start-again", 1));
      await().atMost(Duration.ofSeconds(30)).until(() -> committed("start-again", both).values().stream()
          .allMatch(o -> o != null && o.offset() == 70));

      // When: another member takes one partition and leaves again without committing
      TopicPartition moved = takeOnePartitionAndLeave("start-again", "start-again");

      // Then: that partition comes back and starts at the committed 70, not at the reader's first start
      int p = moved.partition();
      readUntil(readers.get(p), outs.get(p), 90);
      assertThat(outs.get(p).offsets.subList(60, 90)).startsWith(70L).endsWith(99L).doesNotHaveDuplicates();
      assertThat(outs.get(1 - p).offsets).hasSize(60);
    } finally {
      readers.forEach(SourceReader::close);
    }
  }

  /** Joins the group with a plain consumer until it owns a partition, then leaves; returns that partition. */
  private static TopicPartition takeOnePartitionAndLeave(String topic, String group) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties(group));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
    try (KafkaConsumer<String, String> other = new KafkaConsumer<>(props)) {
      other.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (other.assignment().isEmpty() && System.nanoTime() < deadline) {
        other.poll(Duration.ofMillis(100));
      }
      assertThat(other.assignment()).as("partitions of the other member").hasSize(1);
      return other.assignment().iterator().next();
    }
  }

  @Test
  void when_the_start_position_is_not_an_offset_then_creating_the_reader_fails_with_the_partition_named() {
    // Given: a source (building it does no I/O)
    KafkaSource<String> source = source("never-created", "never-created");

    // When / Then: a string position (another kind of source's checkpoint) is refused
    assertThatThrownBy(() -> source.createReader(2, context(), SourcePosition.ofString("shard-7")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("partition 2").hasMessageContaining("must be an offset");
  }
}
