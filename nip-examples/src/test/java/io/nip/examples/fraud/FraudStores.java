package io.nip.examples.fraud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nip.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads back what the fraud job wrote: the alert table's rows and a topic's JSON values, rendered as the reference renders. */
final class FraudStores {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FraudStores() {}

  /** @return every row of the table as {@code user|pattern|detected_at|evidence ids|label} */
  static List<String> rows(DataSource ds, String table) {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select user_id, pattern, detected_at, evidence::text, label_fraud, alert_id from "
            + table)) {
      while (rs.next()) {
        Boolean label = rs.getObject(5) == null ? null : rs.getBoolean(5);
        java.time.Instant at = rs.getTimestamp(3).toInstant();
        out.add(FraudReference.render(rs.getString(1), rs.getString(2), at, ids(JSON.readTree(rs.getString(4))), label));
        if (!rs.getString(6).equals(FraudAlert.idOf(rs.getString(1), rs.getString(2), at))) {
          throw new AssertionError("alert_id of " + out.get(out.size() - 1) + " is " + rs.getString(6));
        }
      }
    } catch (SQLException e) {
      throw new AssertionError("cannot read " + table, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** @return the event ids of an evidence array */
  static List<String> ids(JsonNode evidence) {
    List<String> ids = new ArrayList<>();
    evidence.forEach(e -> ids.add(e.get("event_id").asText()));
    return ids;
  }

  /** @return the values of every record of the topic, up to its end offsets now */
  static List<JsonNode> topic(EmbeddedKafka kafka, String topic) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties("check-" + topic + "-" + System.nanoTime()));
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<JsonNode> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < until) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          try {
            values.add(r.value() == null ? JSON.nullNode() : JSON.readTree(r.value()));
          } catch (IOException e) {
            values.add(JSON.getNodeFactory().textNode(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)));
          }
        });
      }
    }
    return values;
  }

  /**
   * @param alert a topic value
   * @param labelOfEvent the label of each generated payment by event id
   * @return the alert rendered as the reference renders; the label is the triggering payment's, the
   *     last of the evidence (every rule's evidence ends with it)
   */
  static String render(JsonNode alert, Map<String, Boolean> labelOfEvent) {
    List<String> ids = ids(alert.get("evidence"));
    return FraudReference.render(alert.get("user_id").asText(), alert.get("pattern").asText(),
        java.time.Instant.parse(alert.get("detected_at").asText()), ids, labelOfEvent.get(ids.get(ids.size() - 1)));
  }
}
