package io.nip.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.analytics.UserEventFeed;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.PipelineConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exercise 2 end to end on the embedded broker: random users with gaps of exactly 30 min,
 * 30 min ± 1 ms and 1 h, ties, bots, bad lines and bounded disorder in a 3-partition topic; the
 * sessions in the output topic and the file equal {@link SessionsReference}, the bad lines reach
 * the dead-letter topic.
 */
class SessionsPipelineKafkaTest {
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static List<SessionSummary> topic(String name, int expected) {
    List<SessionSummary> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "group.id", "check-" + System.nanoTime(), "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(name));
      long deadline = System.currentTimeMillis() + 30_000;
      while (out.size() < expected && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.add(SessionSummary.SERDE.deserialize(r.value()));
        }
      }
    }
    return out;
  }

  @Test
  void when_the_job_reads_the_topic_then_the_sessions_in_topic_and_file_equal_the_reference(@TempDir Path dir)
      throws Exception {
    // Given generated lines (bad ones among them) in a 3-partition topic, keyed by user as the feed writes them
    SessionsData data = SessionsData.generate(23, 30, 25, Duration.ofSeconds(20), true);
    kafka.createTopic("sessions-in", 3);
    kafka.createTopic("sessions-out", 3);
    kafka.createTopic("sessions-dlq", 1);
    try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), "sessions-in")) {
      data.lines.forEach(feed::sendLine);
    }
    List<SessionSummary> expected = SessionsReference.expected(data.lines, SessionsPipeline.DEFAULT_MAX_EVENTS_PER_SESSION);

    // When the job runs once over the topic
    SessionsPipeline job = SessionsPipeline.builder(kafka.bootstrapServers()).inputTopic("sessions-in")
        .outputTopic("sessions-out").deadLetterTopic("sessions-dlq").groupId("sessions-1").bounded()
        .outputFile(dir.resolve("sessions.jsonl"))
        .config(PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(200)).build()).build();
    job.start().awaitTermination();

    // Then topic and file hold exactly the reference's sessions, and the bad lines are dead letters
    assertThat(job.counters().lateEvents()).isZero();
    assertThat(job.counters().lateUpdates()).isZero();
    assertThat(job.counters().badRecords()).isEqualTo(data.badLines);
    assertThat(job.counters().sessionsOut()).isEqualTo(expected.size());
    List<SessionSummary> topic = topic("sessions-out", expected.size());
    assertThat(SessionsReference.finalView(topic)).containsExactlyElementsOf(expected);
    assertThat(topic).hasSize(expected.size());
    List<SessionSummary> file = new ArrayList<>();
    for (String l : Files.readAllLines(dir.resolve("sessions.jsonl"))) {
      file.add(SessionSummary.SERDE.deserialize(l.getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(SessionsReference.finalView(file)).containsExactlyElementsOf(expected);
  }
}
