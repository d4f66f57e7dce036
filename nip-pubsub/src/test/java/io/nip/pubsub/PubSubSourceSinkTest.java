package io.nip.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ErrorPolicy;
import io.nip.pipeline.Pipeline;
import io.nip.pubsub.local.PubSubEmulator;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PubSubSource and PubSubSink against the official Pub/Sub emulator (started here): a bounded job
 * reads every message exactly once and each ordering key in order, acks only what its checkpoints
 * covered, a restarted pipeline gets exactly the messages it had not acked, and unacked messages are
 * delivered again and counted.
 */
class PubSubSourceSinkTest {
  private static PubSubEmulator emulator;

  @BeforeAll
  static void startEmulator() throws Exception {
    emulator = PubSubEmulator.start();
  }

  @AfterAll
  static void stopEmulator() {
    if (emulator != null) {
      emulator.close();
    }
  }

  static PubSubSource.Builder<String> source(String subscription) {
    return source(emulator, subscription);
  }

  static PubSubSource.Builder<String> source(PubSubEmulator emulator, String subscription) {
    return PubSubSource.builder(PubSubEmulator.PROJECT, subscription, Serdes.string())
        .emulatorHost(emulator.hostPort());
  }

  /** Publishes "k<i % keys>:<i>" for i in [from, to) through a pipeline with a PubSubSink ordered by key. */
  static void publish(String topic, int from, int to, int keys) throws InterruptedException {
    publish(emulator, topic, from, to, keys);
  }

  /** As {@link #publish(String, int, int, int)} on the given emulator. */
  static void publish(PubSubEmulator emulator, String topic, int from, int to, int keys) throws InterruptedException {
    List<String> values = new ArrayList<>();
    for (int i = from; i < to; i++) {
      values.add("k" + (i % keys) + ":" + i);
    }
    Pipeline p = Pipeline.named("publish-" + topic);
    p.from(Sources.collection("values", values)).to(PubSubSink.builder(PubSubEmulator.PROJECT, topic, Serdes.string())
        .emulatorHost(emulator.hostPort()).orderingKey(v -> v.substring(0, v.indexOf(':'))).build());
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
  }

  static void awaitSize(CollectingSink<?> out, int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (out.values().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(out.values().size()).as("messages read").isGreaterThanOrEqualTo(n);
  }

  static int seq(String v) {
    return Integer.parseInt(v.substring(v.indexOf(':') + 1));
  }

  private static List<String> readBounded(String subscription) throws InterruptedException {
    return readBounded(subscription, Duration.ofSeconds(2));
  }

  private static List<String> readBounded(String subscription, Duration idle) throws InterruptedException {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("bounded-" + subscription, PipelineConfig.builder().threads(2).build());
    p.from(source(subscription).bounded(idle).build()).to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(90))).isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    return out.values();
  }

  @Test
  void a_bounded_job_reads_every_message_exactly_once_with_each_ordering_key_in_order() throws Exception {
    // Given: 3,000 messages of 12 ordering keys published by PubSubSink to an ordered subscription
    emulator.createTopic("bounded");
    emulator.createSubscription("bounded-sub", "bounded", true, Duration.ofSeconds(30));
    publish("bounded", 0, 3_000, 12);

    // When: a bounded pipeline reads the subscription
    List<String> read = readBounded("bounded-sub");

    // Then: every message once, each key in publish order; the final commit acked them all
    assertThat(read).hasSize(3_000).doesNotHaveDuplicates();
    Map<String, Integer> last = new HashMap<>();
    for (String v : read) {
      Integer before = last.put(v.substring(0, v.indexOf(':')), seq(v));
      assertThat(before == null || before < seq(v)).as("order of %s after %s", v, before).isTrue();
    }
    assertThat(readBounded("bounded-sub")).as("nothing left unacked").isEmpty();
  }

  @Test
  void a_restarted_pipeline_gets_exactly_the_messages_it_had_not_acked() throws Exception {
    // Given: a pipeline read 1,000 messages and was stopped (its final checkpoint acked them)
    emulator.createTopic("resume");
    emulator.createSubscription("resume-sub", "resume", false, Duration.ofSeconds(10));
    publish("resume", 0, 1_000, 10);
    CollectingSink<String> out1 = Sinks.collecting("out");
    Pipeline p1 = Pipeline.named("resume", PipelineConfig.builder().commitInterval(Duration.ofMillis(100)).build());
    p1.from(source("resume-sub").build()).to(out1);
    PipelineHandle h1 = p1.start();
    awaitSize(out1, 1_000, Duration.ofSeconds(60));
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // When: 1,000 more are published and a fresh pipeline reads until the subscription is quiet
    publish("resume", 1_000, 2_000, 10);
    List<String> second = readBounded("resume-sub");

    // Then: the first run read the first 1,000 once, the second exactly the next 1,000
    assertThat(out1.values()).hasSize(1_000).doesNotHaveDuplicates().allMatch(v -> seq(v) < 1_000);
    assertThat(second).hasSize(1_000).doesNotHaveDuplicates().allMatch(v -> seq(v) >= 1_000);
  }

  @Test
  void messages_a_stopped_reader_had_not_acked_are_delivered_again_and_counted() throws Exception {
    // Given: a pipeline whose checkpoints never complete before it is closed abruptly (a failing sink
    // keeps every message unacked), so the reader nacks what it holds when it closes
    emulator.createTopic("redeliver");
    emulator.createSubscription("redeliver-sub", "redeliver", false, Duration.ofSeconds(10));
    publish("redeliver", 0, 200, 4);
    PubSubSource<String> src = source("redeliver-sub").bounded(Duration.ofSeconds(2)).build();
    Pipeline failing = Pipeline.named("redeliver-failing",
        PipelineConfig.builder().errorPolicy(ErrorPolicy.fail()).build());
    failing.from(src).map(v -> {
      if (seq(v) >= 0) {
        throw new IllegalStateException("sink down");
      }
      return v;
    }).to(Sinks.collecting("never"));
    PipelineHandle h1 = failing.start();
    assertThatThrownBy(() -> h1.awaitTermination(Duration.ofSeconds(60))).hasMessageContaining("sink down");
    assertThat(h1.status()).isEqualTo(PipelineHandle.Status.FAILED);

    // When: the same source reads again
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline again = Pipeline.named("redeliver-again");
    again.from(src).to(out);
    PipelineHandle h2 = again.start();
    assertThat(h2.awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then: all 200 arrive, and the ones delivered before are counted as redeliveries
    assertThat(out.values()).hasSize(200).doesNotHaveDuplicates();
    assertThat(src.redeliveries()).isGreaterThan(0);
  }

  @Test
  void a_message_held_longer_than_its_ack_deadline_keeps_its_lease_and_is_not_delivered_again() throws Exception {
    // Given: 100 messages read by a pipeline whose checkpoints come only every 25 s, with a 10 s ack deadline
    emulator.createTopic("hold");
    emulator.createSubscription("hold-sub", "hold", false, Duration.ofSeconds(10));
    publish("hold", 0, 100, 5);
    PubSubSource<String> src = source("hold-sub").ackDeadline(Duration.ofSeconds(10)).build();
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("hold", PipelineConfig.builder().commitInterval(Duration.ofSeconds(25)).build());
    p.from(src).to(out);
    PipelineHandle h = p.start();
    awaitSize(out, 100, Duration.ofSeconds(30));

    // When: the messages stay unacked for more than two ack deadlines, then the pipeline stops
    Thread.sleep(22_000);
    h.stop();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: the extended leases kept Pub/Sub from delivering them again, and the final commit acked them
    assertThat(out.values()).hasSize(100).doesNotHaveDuplicates();
    assertThat(src.redeliveries()).isZero();
    assertThat(readBounded("hold-sub")).as("nothing left unacked").isEmpty();
  }
}
