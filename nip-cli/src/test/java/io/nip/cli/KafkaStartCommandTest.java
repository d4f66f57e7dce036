package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nip kafka start} in its own JVM serves other applications until SIGTERM, keeping its data
 * in {@code --data-dir}; {@code nip topics create} creates a topic on it and reports an existing one.
 */
class KafkaStartCommandTest {
  @TempDir
  Path tmp;

  @Test
  void a_started_broker_serves_topics_and_keeps_its_data_across_a_restart() throws Exception {
    // Given: a broker started by the command on a free port with a data directory
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path data = tmp.resolve("kafka-data");
    String servers = "127.0.0.1:" + port;
    Process broker = start(port, data, "first");
    try {
      // When: a topic is created with the command and a record written to it
      StringWriter out = new StringWriter();
      int code = NipCommand.commandLine().setOut(new PrintWriter(out, true)).execute("topics", "create",
          "--topic", "nip-events", "--partitions", "3", "--bootstrap-servers", servers);
      assertThat(code).isZero();
      assertThat(out.toString()).contains("Created topic nip-events with 3 partitions on " + servers);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
        p.send(new ProducerRecord<>("nip-events", "user_1", "{\"event\":\"click\"}")).get();
      }
    } finally {
      broker.destroy(); // SIGTERM, as Ctrl-C
      broker.waitFor();
    }
    assertThat(broker.exitValue()).as(Files.readString(tmp.resolve("first.err"))).isZero();
    assertThat(Files.readString(tmp.resolve("first.out"))).contains("Kafka broker stopped");

    // Then: started again on the same directory, the topic and its record are still there
    Process again = start(port, data, "second");
    try {
      StringWriter out = new StringWriter();
      int code = NipCommand.commandLine().setOut(new PrintWriter(out, true)).execute("topics", "create",
          "--topic", "nip-events", "--partitions", "3", "--bootstrap-servers", servers);
      assertThat(code).isZero();
      assertThat(out.toString()).contains("Topic nip-events already exists on " + servers + " with 3 partitions");
      assertThat(readAll(servers)).containsExactly("user_1={\"event\":\"click\"}");
    } finally {
      again.destroy();
      again.waitFor();
    }
  }

  private Process start(int port, Path data, String name) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), NipCommand.class.getName(),
        "kafka", "start", "--port", Integer.toString(port), "--data-dir", data.toString()));
    Path out = tmp.resolve(name + ".out");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(tmp.resolve(name + ".err").toFile())
        .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.readString(out).contains("Kafka broker ready on 127.0.0.1:" + port)) {
      assertThat(p.isAlive()).as("broker alive: %s", Files.readString(tmp.resolve(name + ".err"))).isTrue();
      assertThat(System.nanoTime()).as("broker ready within 60 s").isLessThan(deadline);
      Thread.sleep(50);
    }
    return p;
  }

  private static List<String> readAll(String servers) {
    List<String> got = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
        ConsumerConfig.GROUP_ID_CONFIG, "check", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
      c.subscribe(List.of("nip-events"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (got.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          got.add(r.key() + "=" + r.value());
        }
      }
    }
    return got;
  }
}
