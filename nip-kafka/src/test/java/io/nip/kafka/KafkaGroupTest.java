package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nip.join.Joins;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Table;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
    Pipeline p = Pipeline.named(name,
        PipelineConfig.builder().threads(1).commitInterval(Duration.ofMillis(200)).build());
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

  /** A bounded member that takes some microseconds per record, with quick heartbeats. */
  private static Pipeline slowMember(String name, CollectingSink<String> out) {
    KafkaSource<String> source = KafkaSource.builder("joined-in", Serdes.string())
        .bootstrapServers(kafka.bootstrapServers()).groupId("joined-group").offsetReset(OffsetReset.EARLIEST)
        .consumerProperty(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200).bounded().build();
    Pipeline p = Pipeline.named(name,
        PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(100)).build());
    p.from(source).map(v -> {
      LockSupport.parkNanos(10_000);
      return v;
    }).to(out);
    return p;
  }

  @Test
  void when_a_member_joins_a_member_that_already_reads_then_together_they_read_every_record() throws Exception {
    // Given: 60,000 records in 3 partitions, and a bounded member that owns them all and is reading
    kafka.createTopic("joined-in", 3);
    Map<String, Object> props = new HashMap<>(kafka.producerProperties());
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
      for (int i = 0; i < 60_000; i++) {
        p.send(new ProducerRecord<>("joined-in", "k" + (i % 101), "r" + i));
      }
    }
    CollectingSink<String> outA = Sinks.collecting("a");
    CollectingSink<String> outB = Sinks.collecting("b");
    PipelineHandle a = slowMember("joined-a", outA).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> outA.size() >= 1_000);

    // When: a second member joins (a cooperative rebalance in two rounds: the first one gives it nothing
    // and takes a partition from the first member, the second one gives it that partition)
    PipelineHandle b = slowMember("joined-b", outB).start();
    assertThat(a.awaitTermination(Duration.ofSeconds(90))).isTrue();
    assertThat(b.awaitTermination(Duration.ofSeconds(90))).isTrue();

    // Then: together they read every record (no member ended the moving partition between the rounds)
    Set<String> all = new HashSet<>(outA.values());
    all.addAll(outB.values());
    assertThat(all).hasSize(60_000);
  }

  @Test
  void when_a_joining_member_is_settled_before_its_partitions_arrive_then_they_still_hold_the_join_back() {
    // Given: profiles a day older than the events, and events of every user; both sources in one group
    // with the consumer protocol (KIP-848), whose joining member is first settled with nothing (which
    // source joins second is up to the broker: the rule is exercised when it is the profiles')
    kafka.createTopic("cp-events", 3);
    kafka.createTopic("cp-profiles", 3, Map.of("cleanup.policy", "compact"));
    Instant t0 = Instant.parse("2026-01-17T17:00:00Z");
    int users = 200;
    int events = 5_000;
    try (KafkaProducer<String, String> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()))) {
      for (int u = 0; u < users; u++) {
        p.send(new ProducerRecord<>("cp-profiles", null, t0.minusSeconds(86_400).toEpochMilli(), "u" + u, "tier" + u));
      }
      for (int i = 0; i < events; i++) {
        p.send(new ProducerRecord<>("cp-events", "u" + (i % users), "u" + (i % users) + "|" + i));
      }
    }
    Pipeline pipeline = Pipeline.named("cp-join", PipelineConfig.builder().threads(2)
        .watermarkAlignment(Duration.ofSeconds(30)).build());
    var eventStream = pipeline.from(consumerProtocolSource("cp-events"),
        WatermarkStrategy.<String>boundedOutOfOrderness(Duration.ofSeconds(1))
            .withTimestamps(v -> t0.plusSeconds(Long.parseLong(v.substring(v.indexOf('|') + 1))))
            .withIdleTimeout(IDLE));
    var profileStream = pipeline.from(consumerProtocolSource("cp-profiles"),
        WatermarkStrategy.<String>boundedOutOfOrderness(Duration.ofSeconds(1)).withIdleTimeout(IDLE));
    Table<String, String> table = Table.from(profileStream, tier -> "u" + tier.substring(4), tier -> tier,
        Serdes.string(), Duration.ofHours(1));
    CollectingSink<String> out = Sinks.collecting("joined");
    Joins.left(eventStream, (String v) -> v.substring(0, v.indexOf('|')), Serdes.string()).latest(table)
        .keySerde(Serdes.string()).apply((e, tier) -> e + "=" + tier, Op.named("cp-join")).to(out);

    // When the bounded pipeline runs to its end
    try (PipelineHandle h = pipeline.start()) {
      assertThat(h.awaitTermination(Duration.ofSeconds(90))).isTrue();
      assertThat(h.failure()).isEmpty();
    }

    // Then every event was joined with its user's profile (none passed before the table was read)
    List<String> joined = out.values();
    assertThat(joined).hasSize(events).doesNotHaveDuplicates();
    assertThat(joined).allSatisfy(j -> assertThat(j.substring(j.indexOf('=') + 5))
        .isEqualTo(j.substring(1, j.indexOf('|'))));
  }

  /** Far longer than the consumer protocol takes to hand a joining member its partitions (a 5 s heartbeat). */
  private static final Duration IDLE = Duration.ofSeconds(60);

  private static KafkaSource<String> consumerProtocolSource(String topic) {
    return KafkaSource.builder(topic, Serdes.string()).bootstrapServers(kafka.bootstrapServers()).groupId("cp-group")
        .consumerProperty(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer").offsetReset(OffsetReset.EARLIEST)
        .bounded().build();
  }
}
