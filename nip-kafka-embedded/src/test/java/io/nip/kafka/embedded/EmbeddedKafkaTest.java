package io.nip.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() throws Exception {
    long started = System.nanoTime();
    kafka = EmbeddedKafka.start();
    long ready = System.nanoTime();
    kafka.createTopic("first-write", 1);
    try (var producer = new KafkaProducer<String, String>(kafka.producerProperties())) {
      producer.send(new ProducerRecord<>("first-write", "k", "v")).get(30, TimeUnit.SECONDS);
    }
    long acknowledged = System.nanoTime();
    System.out.printf("EmbeddedKafka: start() took %d ms, first acknowledged write after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(ready - started),
        TimeUnit.NANOSECONDS.toMillis(acknowledged - started));
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void when_1000_records_are_produced_to_3_partitions_then_a_consumer_reads_all_of_them_back()
      throws Exception {
    // Given
    kafka.createTopic("round-trip", 3);
    Map<String, String> sent = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      sent.put("key-" + i, "value-" + i);
    }

    // When
    try (var producer = new KafkaProducer<String, String>(kafka.producerProperties())) {
      for (var entry : sent.entrySet()) {
        producer.send(new ProducerRecord<>("round-trip", entry.getKey(), entry.getValue()));
      }
      producer.flush();
    }
    Map<String, String> received = new HashMap<>();
    Set<Integer> partitions = new HashSet<>();
    try (var consumer = new KafkaConsumer<String, String>(kafka.consumerProperties("round-trip"))) {
      consumer.subscribe(List.of("round-trip"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.size() < sent.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          assertThat(received.put(record.key(), record.value())).as("duplicate " + record).isNull();
          partitions.add(record.partition());
        }
      }
    }

    // Then
    assertThat(received).isEqualTo(sent);
    assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2);
  }

  @Test
  void when_started_then_the_bootstrap_address_is_the_loopback_address() {
    assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d{1,5}");
  }

  @Test
  void when_started_then_the_port_is_not_reachable_on_other_addresses() throws IOException {
    // Given: another loopback address, which every machine routes to lo (a broker bound to the
    // wildcard address would answer there, one bound to 127.0.0.1 does not), plus a non-loopback
    // address when the machine has one
    int port = Integer.parseInt(kafka.bootstrapServers().split(":")[1]);
    List<InetAddress> others = new java.util.ArrayList<>();
    others.add(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}));
    nonLoopbackAddress().ifPresent(others::add);

    // When / Then
    for (InetAddress other : others) {
      try (Socket socket = new Socket()) {
        assertThatThrownBy(() -> socket.connect(new InetSocketAddress(other, port), 2000))
            .as("connecting to %s:%d", other.getHostAddress(), port)
            .isInstanceOf(IOException.class);
      }
    }
  }

  @Test
  void when_a_topic_is_created_with_config_then_the_broker_applies_it() throws Exception {
    // When
    kafka.createTopic("compacted", 2, Map.of("cleanup.policy", "compact"));

    // Then
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      var resource = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
      Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      var description = admin.describeTopics(List.of("compacted")).allTopicNames().get()
          .get("compacted");
      assertThat(description.partitions()).hasSize(2);
    }
  }

  @Test
  void when_a_topic_already_exists_then_createTopic_fails_naming_it() {
    kafka.createTopic("twice", 1);

    assertThatThrownBy(() -> kafka.createTopic("twice", 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("twice");
  }

  @Test
  void when_partitions_is_zero_then_createTopic_rejects_it() {
    assertThatThrownBy(() -> kafka.createTopic("empty", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitions must be at least 1 but was 0");
  }

  @Test
  void when_topics_are_not_created_then_producing_to_them_does_not_create_them() throws Exception {
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      assertThat(admin.listTopics().names().get()).doesNotContain("never-created");
    }
    var properties = kafka.producerProperties();
    properties.put("max.block.ms", "1000");
    try (var producer = new KafkaProducer<String, String>(properties)) {
      assertThatThrownBy(
          () -> producer.send(new ProducerRecord<>("never-created", "k", "v")).get())
          .hasMessageContaining("never-created");
    }
  }

  @Test
  void when_closed_then_the_directory_is_deleted_and_the_broker_is_gone() throws Exception {
    // Given
    EmbeddedKafka own = EmbeddedKafka.start();
    Path directory = own.directory();
    int port = Integer.parseInt(own.bootstrapServers().split(":")[1]);
    assertThat(directory).isDirectory();
    assertThat(directory.resolve("logs").resolve("meta.properties")).isRegularFile();

    // When
    long started = System.nanoTime();
    own.close();
    System.out.printf("EmbeddedKafka: close() took %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    own.close();

    // Then
    assertThat(Files.exists(directory)).isFalse();
    try (Socket socket = new Socket()) {
      assertThatThrownBy(() -> socket.connect(new InetSocketAddress("127.0.0.1", port), 1000))
          .isInstanceOf(IOException.class);
    }
    assertThatThrownBy(() -> own.createTopic("late", 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void when_a_broker_property_is_given_then_the_broker_uses_it() throws Exception {
    try (EmbeddedKafka own = EmbeddedKafka.builder()
        .brokerProperty("log.retention.ms", "123456")
        .brokerProperty("num.partitions", "4")
        .start();
        Admin admin = Admin.create(own.adminProperties())) {
      var resource = new ConfigResource(ConfigResource.Type.BROKER, "1");
      Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);

      assertThat(config.get("log.retention.ms").value()).isEqualTo("123456");
      assertThat(config.get("num.partitions").value()).isEqualTo("4");
      assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
    }
  }

  @Test
  void when_two_brokers_run_at_once_then_they_use_different_ports_and_directories() {
    try (EmbeddedKafka other = EmbeddedKafka.start()) {
      assertThat(other.bootstrapServers()).isNotEqualTo(kafka.bootstrapServers());
      assertThat(other.directory()).isNotEqualTo(kafka.directory());
      other.createTopic("round-trip", 1);
    }
  }

  @Test
  void when_a_managed_property_is_given_then_the_builder_rejects_it_naming_the_key() {
    assertThatThrownBy(() -> EmbeddedKafka.builder().brokerProperty("listeners", "PLAINTEXT://:9092"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listeners")
        .hasMessageContaining("PLAINTEXT://:9092");
  }

  @Test
  void when_the_timeout_is_not_positive_then_the_builder_rejects_it() {
    assertThatThrownBy(() -> EmbeddedKafka.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive but was PT0S");
  }

  @Test
  void when_properties_are_asked_for_then_each_call_returns_a_fresh_mutable_map() {
    Map<String, Object> first = kafka.consumerProperties("g");
    first.put("extra", "x");

    assertThat(kafka.consumerProperties("g")).doesNotContainKey("extra")
        .containsEntry("group.id", "g")
        .containsEntry("auto.offset.reset", "earliest")
        .containsEntry("bootstrap.servers", kafka.bootstrapServers());
    assertThat(kafka.adminProperties()).containsOnlyKeys("bootstrap.servers");
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }
}
