package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.kafka.KafkaStartPositionTest.Offsets;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
import io.nip.source.SourceContext;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.time.NipClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A commit requested while the group rebalances, made deterministic on a real broker: a third
 * member joins while another member stops polling, so the broker waits for that member and the
 * source's consumer stays between its join request and the new assignment for as long as the test
 * wants; every commit it tries meanwhile is refused with {@code RebalanceInProgressException}.
 */
class KafkaCommitDuringRebalanceTest {
  static final String TOPIC = "commit-rebalance";
  static final String GROUP = "commit-rebalance";
  static final int PARTITIONS = 4;
  static final int RECORDS = 100;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  static Map<String, Object> memberProperties() {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties(GROUP));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 120_000); // may stop polling for a while
    return props;
  }

  static Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> tps) {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(kafka.consumerProperties(GROUP))) {
      return c.committed(tps);
    }
  }

  @Test
  void when_commits_are_requested_while_the_group_rebalances_then_they_are_retried_after_it_and_the_source_keeps_running()
      throws Exception {
    // Given: 100 records per partition, read by the source, which shares the group with a plain member
    kafka.createTopic(TOPIC, PARTITIONS);
    Map<String, Object> producerProps = new HashMap<>(kafka.producerProperties());
    producerProps.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps)) {
      for (int partition = 0; partition < PARTITIONS; partition++) {
        for (int i = 0; i < RECORDS; i++) {
          p.send(new ProducerRecord<>(TOPIC, partition, "k", "\"v" + i + "\""));
        }
      }
    }
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    KafkaSource<String> source = KafkaSource.builder(TOPIC, Serdes.json(String.class))
        .bootstrapServers(kafka.bootstrapServers()).groupId(GROUP).offsetReset(OffsetReset.EARLIEST)
        .consumerProperty(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200).build();
    SourceContext context = new SourceContext("commit-rebalance", NipClock.system(), metrics);
    List<SourceReader<String>> readers = new ArrayList<>();
    List<Offsets> outs = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      readers.add(source.createReader(p, context, SourcePosition.NONE));
      outs.add(new Offsets());
    }
    AtomicBoolean joinerRuns = new AtomicBoolean(true);
    Thread joiner = null;
    try (KafkaConsumer<String, String> sleeper = new KafkaConsumer<>(memberProperties())) {
      readAll(readers, outs, PARTITIONS * RECORDS);
      sleeper.subscribe(List.of(TOPIC));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        sleeper.poll(Duration.ofMillis(100));
        pollAll(readers, outs);
        return !sleeper.assignment().isEmpty() && ownedBySource(readers).size() == PARTITIONS
            - sleeper.assignment().size();
      });
      List<Integer> owned = ownedBySource(readers);

      // When: the sleeping member stops polling, a third member joins (the broker waits for the
      // sleeper to rejoin), and the source is asked to commit meanwhile
      joiner = new Thread(() -> {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(memberProperties())) {
          c.subscribe(List.of(TOPIC));
          while (joinerRuns.get()) {
            c.poll(Duration.ofMillis(100));
          }
        }
      }, "joining-member");
      joiner.start();
      long[] requested = new long[PARTITIONS];
      long[] next = {1};
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (int p : owned) {
          requested[p] = next[0];
          readers.get(p).commit(SourcePosition.ofOffset(next[0]));
        }
        next[0] = Math.min(next[0] + 1, RECORDS);
        pollAll(readers, outs); // a fetcher that failed would throw here
        return metrics.counter("nip.kafka.commits.deferred", "pipeline", "commit-rebalance", "source", TOPIC)
            .count() > 0;
      });

      // Then: once the sleeper polls again and the rebalance completes, the deferred commits are made
      // for the partitions the source still owns, and its readers keep working
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        sleeper.poll(Duration.ofMillis(100));
        pollAll(readers, outs);
        Map<TopicPartition, OffsetAndMetadata> c = committed(Set.copyOf(tps(ownedBySource(readers))));
        return ownedBySource(readers).stream().allMatch(p -> c.get(tp(p)) != null
            && c.get(tp(p)).offset() == requested[p]);
      });
      assertThat(ownedBySource(readers)).isNotEmpty().isSubsetOf(owned);
      assertThat(outs.stream().mapToInt(o -> o.offsets.size()).sum()).isEqualTo(PARTITIONS * RECORDS);
    } finally {
      joinerRuns.set(false);
      if (joiner != null) {
        joiner.join(30_000);
      }
      readers.forEach(SourceReader::close);
    }
  }

  static void readAll(List<SourceReader<String>> readers, List<Offsets> outs, int count) {
    await().atMost(Duration.ofSeconds(30)).until(() -> pollAll(readers, outs) >= count);
  }

  static int pollAll(List<SourceReader<String>> readers, List<Offsets> outs) {
    int total = 0;
    for (int p = 0; p < readers.size(); p++) {
      readers.get(p).poll(outs.get(p), 1000);
      total += outs.get(p).offsets.size();
    }
    return total;
  }

  /**
   * Partitions the source's consumer owns now, or that hold its watermark back: while its assignment
   * is settled, those not owned here count only once the group's description gives them to another
   * member.
   */
  static List<Integer> ownedBySource(List<SourceReader<String>> readers) {
    List<Integer> owned = new ArrayList<>();
    for (int p = 0; p < readers.size(); p++) {
      if (readers.get(p).isAssigned()) {
        owned.add(p);
      }
    }
    return owned;
  }

  static TopicPartition tp(int partition) {
    return new TopicPartition(TOPIC, partition);
  }

  static List<TopicPartition> tps(List<Integer> partitions) {
    return partitions.stream().map(KafkaCommitDuringRebalanceTest::tp).toList();
  }
}
