package io.nip.examples.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.PipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exercise 3 end to end: generated lines (the edges, random users, bad lines) on the
 * embedded broker, alerts in the topic, a file and a real PostgreSQL table, all equal to
 * {@link FraudReference}; a second full run over the same input leaves the table unchanged.
 */
@ExtendWith(PostgresExtension.class)
class FraudPipelineKafkaTest {
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void when_the_job_reads_the_topic_then_alerts_in_topic_file_and_table_equal_the_reference_and_a_replay_adds_no_row(
      PostgresDatabase db, @TempDir Path dir) throws Exception {
    // Given the generated lines in a 3-partition topic, keyed by user as the feed writes them
    FraudData data = FraudData.generate(7, 60, 30);
    kafka.createTopic("fraud-in", 3);
    kafka.createTopic("fraud-out", 3);
    kafka.createTopic("fraud-dlq", 1);
    try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), "fraud-in")) {
      data.lines.forEach(l -> feed.sendLine(l.bytes()));
    }
    AlertTable table = AlertTable.of(db.dataSource(), AlertTable.DEFAULT_TABLE);
    table.createIfMissing();
    List<String> expected = FraudReference.alerts(data.payments);

    // When the job runs once over the topic
    FraudPipeline job = job(table, "fraud-1", dir.resolve("alerts.jsonl"));
    job.start().awaitTermination();

    // Then the table, the topic and the file hold exactly the reference's alerts
    assertThat(job.counters().latePayments()).isZero();
    assertThat(job.counters().payments()).isEqualTo(data.payments.size());
    assertThat(FraudStores.rows(db.dataSource(), table.name())).containsExactlyInAnyOrderElementsOf(expected);
    Map<String, Boolean> labels = new HashMap<>();
    data.payments.forEach(p -> labels.put(p.id(), p.label()));
    List<JsonNode> topic = FraudStores.topic(kafka, "fraud-out");
    assertThat(topic).map(a -> FraudStores.render(a, labels)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(topic).allSatisfy(a -> assertThat(a.fieldNames()).toIterable()
        .containsExactly("alert_id", "user_id", "pattern", "detected_at", "evidence"));
    assertThat(Files.readAllLines(dir.resolve("alerts.jsonl"))).hasSize(expected.size());
    assertThat(FraudStores.topic(kafka, "fraud-dlq")).hasSize((int) data.badLines());
    assertThat(job.counters().badRecords()).isEqualTo(data.badLines());
    assertThat(job.counters().eventsIn()).isEqualTo(data.lines.size());
    assertThat(job.monitor().alerts()).isEqualTo(expected.size());
    assertThat(job.monitor().falsePositives()).isEqualTo(expected.stream().filter(s -> s.endsWith("|false")).count());

    // When the whole input is replayed by a new group, Then the table keeps one row per alert
    job(table, "fraud-2", dir.resolve("again.jsonl")).start().awaitTermination();
    assertThat(FraudStores.rows(db.dataSource(), table.name())).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(FraudStores.topic(kafka, "fraud-out")).hasSize(2 * expected.size());
  }

  private static FraudPipeline job(AlertTable table, String group, Path file) {
    // tag::readme[]
    return FraudPipeline.builder(kafka.bootstrapServers()).inputTopic("fraud-in").outputTopic("fraud-out")
        .deadLetterTopic("fraud-dlq").groupId(group).bounded().alertTable(table).outputFile(file)
        .config(PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(200)).build()).build();
    // end::readme[]
  }
}
