package io.nip.jdbc.transactional;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test helpers: writing input, reading output read_committed, reading tables, comparing. */
final class TxFixtures {
  private TxFixtures() {}

  /** Writes "order-i" -> "i" for i in [from, to), keyed so that the records spread over the partitions. */
  static void produce(String bootstrap, String topic, int from, int to) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = from; i < to; i++) {
        p.send(new ProducerRecord<>(topic, "order-" + i, Integer.toString(i)));
      }
    }
  }

  /** Every record of the topic, read read_committed from the beginning to the last stable offset. */
  static List<ConsumerRecord<String, String>> readCommitted(String bootstrap, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = c.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end offsets " + ends + " within 60 s");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Per key, how many times it occurs. */
  static Map<String, Integer> countByKey(List<ConsumerRecord<String, String>> records) {
    return records.stream().collect(Collectors.toMap(ConsumerRecord::key, r -> 1, Integer::sum, TreeMap::new));
  }

  /** Runs a query giving (text, text) rows. */
  static List<String[]> rows(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<String[]> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new String[] {rs.getString(1), rs.getString(2)});
      }
      return out;
    }
  }

  /** Runs a statement. */
  static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Runs a query giving one number. */
  static long count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Compares what each key has on both sides with what it should have: an empty string when every
   * expected key occurs exactly once in the database and in Kafka, with equal values, and nothing
   * else occurs; otherwise a description of what was lost, doubled or extra.
   *
   * @param expected the keys that must occur, with their values
   * @param dbRows (key, value) rows of the database
   * @param records the Kafka records
   */
  static String disagreement(Map<String, String> expected, List<String[]> dbRows,
      List<ConsumerRecord<String, String>> records) {
    Map<String, List<String>> db = new TreeMap<>();
    dbRows.forEach(r -> db.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]));
    Map<String, List<String>> kafka = new TreeMap<>();
    records.forEach(r -> kafka.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value()));
    StringBuilder problems = new StringBuilder();
    List<String> lost = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      List<String> d = db.getOrDefault(e.getKey(), List.of());
      List<String> k = kafka.getOrDefault(e.getKey(), List.of());
      if (d.isEmpty() && k.isEmpty()) {
        lost.add(e.getKey());
      } else if (!d.equals(List.of(e.getValue())) || !k.equals(List.of(e.getValue()))) {
        problems.append("\n  ").append(e.getKey()).append(": expected [").append(e.getValue()).append("] once, database ")
            .append(d).append(", kafka ").append(k);
      }
    }
    if (!lost.isEmpty()) {
      problems.append("\n  lost on both sides (").append(lost.size()).append("): ").append(lost);
    }
    for (String key : db.keySet()) {
      if (!expected.containsKey(key)) {
        problems.append("\n  extra database rows for ").append(key).append(": ").append(db.get(key));
      }
    }
    for (String key : kafka.keySet()) {
      if (!expected.containsKey(key)) {
        problems.append("\n  extra kafka records for ").append(key).append(": ").append(kafka.get(key));
      }
    }
    return problems.toString();
  }
}
