package io.nip.cli;

import io.nip.errors.DeadLetter;
import io.nip.event.Headers;
import io.nip.examples.analytics.UserEventFeed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The topics the commands use: created when missing (existing ones are kept), waited for until
 * every leader serves requests, and read back {@code read_committed} for the files and the summary
 * under exactly-once.
 *
 * <p>Why {@code read_committed} everywhere a command reads its own output: under exactly-once the
 * job's records of an aborted transaction (a crash, a fenced instance) stay in the log; only a
 * reader that skips them sees each result once. Reading that way costs nothing under at-least-once
 * (no transactions), so the same reader serves both. Stateless; every method opens and closes its
 * own clients.
 */
final class KafkaTopics {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private KafkaTopics() {}

  /**
   * Creates the topics that are missing and waits until every partition's leader serves requests.
   *
   * @param servers the cluster
   * @param topics the topics with their partition counts (replication 1)
   * @param sizeOf the topic whose largest record size is returned
   * @return the largest record {@code sizeOf} takes, in bytes (its {@code max.message.bytes}, at most
   *     the producer's 1 MiB)
   * @throws IllegalStateException when a topic cannot be created or does not become ready in 30 s
   */
  static int ensure(String servers, List<NewTopic> topics, String sizeOf) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      for (var e : admin.createTopics(topics).values().entrySet()) {
        try {
          e.getValue().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex);
          }
        }
      }
      awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
      return Math.min(UserEventFeed.MAX_REQUEST_BYTES, maxMessageBytes(admin, sizeOf));
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", ex);
    } catch (ExecutionException ex) {
      throw new IllegalStateException("the topics on " + servers + " are not ready: " + ex.getCause().getMessage(), ex);
    } catch (TimeoutException ex) {
      throw new IllegalStateException("timed out creating topics on " + servers, ex);
    }
  }

  /**
   * @param servers the cluster
   * @param topic a topic name
   * @return whether the topic exists
   */
  static boolean exists(String servers, String topic) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing topic " + topic, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out describing topic " + topic + " on " + servers, e);
    }
  }

  private static int maxMessageBytes(Admin admin, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    ConfigEntry e = admin.describeConfigs(List.of(r)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(r)
        .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    return e == null || e.value() == null ? UserEventFeed.MAX_REQUEST_BYTES : Integer.parseInt(e.value());
  }

  /**
   * Returns once every partition's leader serves requests. A new topic's leader is known to the
   * metadata a moment before it accepts writes, and a first batch refused by it while later ones
   * land makes the idempotent producer retry it as out of order until it expires. Listing the end
   * offsets goes to each leader; it is repeated while a leader answers that it is not ready, and
   * so is describing the topics, which the broker that answers may not know yet.
   */
  private static void awaitLeaders(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(names).allTopicNames()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).values()) {
          d.partitions().forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        admin.listOffsets(partitions).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() - deadline > 0) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private static KafkaConsumer<byte[], byte[]> committedReader(String servers) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
    return new KafkaConsumer<>(props);
  }

  /**
   * @param servers the cluster
   * @param topic an existing topic
   * @return the end offset a {@code read_committed} reader sees now (the last stable offset) of each partition
   */
  static Map<TopicPartition, Long> committedEnds(String servers, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = committedReader(servers)) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic, TIMEOUT).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
      return new HashMap<>(c.endOffsets(tps, TIMEOUT));
    }
  }

  /**
   * Reads a topic {@code read_committed} from the given offsets up to its committed end as it is
   * when the call starts (records of aborted transactions skipped).
   *
   * @param servers the cluster
   * @param topic the topic
   * @param from where to start in each partition (missing partitions: from the beginning)
   * @param each receives every committed record, in partition order
   * @return the number of records read
   * @throws IllegalStateException when the end is not reached within 60 s
   */
  static long readCommitted(String servers, String topic, Map<TopicPartition, Long> from,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> c = committedReader(servers)) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic, TIMEOUT).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
      c.assign(tps);
      for (TopicPartition tp : tps) {
        c.seek(tp, from.getOrDefault(tp, 0L));
      }
      Map<TopicPartition, Long> ends = c.endOffsets(tps, TIMEOUT);
      long n = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("reading topic " + topic + " back did not reach its end " + ends + " in 60 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
            each.accept(r);
            n++;
          }
        }
      }
      return n;
    }
  }

  /**
   * Rebuilds the dead letter a {@code KafkaDeadLetterSink} wrote: the raw record, its own headers
   * (the input line number among them) and the {@code nip.*} headers naming the error and origin.
   *
   * @param r a record of a dead-letter topic
   * @return the dead letter; {@code failedAt} is the record's timestamp
   */
  static DeadLetter deadLetterOf(ConsumerRecord<byte[], byte[]> r) {
    Headers.Builder own = Headers.builder();
    Map<String, String> nip = new HashMap<>();
    for (Header h : r.headers()) {
      if (h.key().startsWith("nip.") && !h.key().equals(UserEventFeed.LINE_HEADER)) {
        nip.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
      } else {
        own.add(h.key(), h.value());
      }
    }
    return new DeadLetter(nip.get("nip.pipeline"), nip.get("nip.operator"), nip.get("nip.source"),
        parseInt(nip.get("nip.partition")), parseLong(nip.get("nip.offset")), null, r.value(), null,
        nip.get("nip.error.class"), nip.get("nip.error.message"), Instant.ofEpochMilli(r.timestamp()), own.build());
  }

  private static int parseInt(String s) {
    try {
      return s == null ? -1 : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long parseLong(String s) {
    try {
      return s == null ? -1 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
