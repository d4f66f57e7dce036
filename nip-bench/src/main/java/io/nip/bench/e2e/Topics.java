package io.nip.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Topic creation, deletion and offset queries against the benchmark broker, through one admin client. */
final class Topics implements AutoCloseable {
  private final Admin admin;
  private final String bootstrapServers;

  Topics(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  void create(String topic, int partitions) {
    create(topic, partitions, Map.of());
  }

  /**
   * @param configs topic configs, e.g. {@code cleanup.policy=compact}
   */
  void create(String topic, int partitions, Map<String, String> configs) {
    get(() -> admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get());
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        var d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        if (d.partitions().stream().allMatch(p -> p.leader() != null)) {
          return;
        }
      } catch (ExecutionException e) {
        // not visible yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(20);
    }
    throw new IllegalStateException("topic " + topic + " has no leader after 30 s");
  }

  void delete(String topic) {
    try {
      admin.deleteTopics(List.of(topic)).all().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // best effort: a leftover topic only costs disk
    }
  }

  List<TopicPartition> partitions(String topic) {
    var d = get(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic));
    List<TopicPartition> out = new ArrayList<>();
    d.partitions().forEach(p -> out.add(new TopicPartition(topic, p.partition())));
    return out;
  }

  /** @return the sum of the end offsets of the topic's partitions (its record count when nothing was deleted) */
  long endOffsetSum(String topic) {
    Map<TopicPartition, OffsetSpec> q = new java.util.HashMap<>();
    partitions(topic).forEach(tp -> q.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> r = get(() -> admin.listOffsets(q).all().get());
    return r.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
  }

  /**
   * The records of a topic as a {@code read_committed} consumer sees them: under exactly-once the end
   * offsets also count one transaction marker per partition and commit, and aborted records.
   *
   * @param topic the topic
   * @return its committed records, read from the beginning to the last stable offsets
   * @throws IllegalStateException when the end is not reached within 2 minutes
   */
  long committedRecords(String topic) {
    Map<String, Object> props = new java.util.HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    long count = 0;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> tps = partitions(topic);
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps, java.time.Duration.ofSeconds(30));
      long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic + " did not reach its end " + ends);
        }
        count += c.poll(java.time.Duration.ofMillis(200)).count();
      }
    }
    return count;
  }

  /**
   * @param application a NIP or Kafka Streams application id
   * @return the records in its changelog topics ({@code <application>-...-changelog}), by end offsets
   */
  long changelogRecords(String application) {
    java.util.Set<String> names = get(() -> admin.listTopics().names().get());
    long sum = 0;
    for (String t : names) {
      if (t.startsWith(application + "-") && t.endsWith("-changelog")) {
        sum += endOffsetSum(t);
      }
    }
    return sum;
  }

  /** @return the sum of the group's committed offsets on the topic (0 for partitions without a commit) */
  long committedSum(String group, String topic) {
    Map<TopicPartition, OffsetAndMetadata> c =
        get(() -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
    return c.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset()).sum();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private interface Call<T> {
    T call() throws InterruptedException, ExecutionException;
  }

  private static <T> T get(Call<T> c) {
    try {
      return c.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
