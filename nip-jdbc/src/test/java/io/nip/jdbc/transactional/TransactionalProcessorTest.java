package io.nip.jdbc.transactional;

import static io.nip.jdbc.transactional.TxFixtures.count;
import static io.nip.jdbc.transactional.TxFixtures.countByKey;
import static io.nip.jdbc.transactional.TxFixtures.disagreement;
import static io.nip.jdbc.transactional.TxFixtures.execute;
import static io.nip.jdbc.transactional.TxFixtures.produce;
import static io.nip.jdbc.transactional.TxFixtures.readCommitted;
import static io.nip.jdbc.transactional.TxFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ConnectorException;
import io.nip.errors.UserCodeException;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The transactional processor against a real Kafka broker and a real PostgreSQL server: each
 * event's rows and records appear once, read {@code read_committed}; a failing event leaves nothing
 * behind and goes to the dead-letter topic or stops the processor; explicit transactions, the
 * instance lock and the gap-free outbox under concurrent writers.
 */
@ExtendWith(PostgresExtension.class)
class TransactionalProcessorTest {
  private static final AtomicInteger TOPICS = new AtomicInteger();
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  /** Fresh input, output and dead-letter topic names for one test. */
  record Topics(String in, String out, String dlq) {
    static Topics create(int partitions) {
      int n = TOPICS.incrementAndGet();
      Topics t = new Topics("orders-" + n, "results-" + n, "orders-dlq-" + n);
      kafka.createTopic(t.in, partitions);
      kafka.createTopic(t.out, partitions);
      kafka.createTopic(t.dlq, 1);
      return t;
    }
  }

  private static TransactionalProcessor.Builder<String> builder(String name, Topics t, PostgresDatabase db) {
    return TransactionalProcessor.builder(name, Serdes.string()).kafka(kafka.bootstrapServers()).source(t.in)
        .jdbcUrl(db.jdbcUrl()).user(db.user()).bounded();
  }

  /** Inserts (id, value * 10) and emits the same pair. */
  private static TransactionalHandler<String> resultWriter(String out) {
    return (event, tx) -> {
      String result = Integer.toString(Integer.parseInt(event.value()) * 10);
      tx.database().update("INSERT INTO results (id, result) VALUES (?, ?)", event.key(), result);
      tx.kafka().emit(out, event.key(), result);
    };
  }

  private static Map<String, String> expected(int from, int to) {
    Map<String, String> m = new HashMap<>();
    for (int i = from; i < to; i++) {
      m.put("order-" + i, Integer.toString(i * 10));
    }
    return m;
  }

  private static void run(TransactionalProcessor<String> p) {
    assertThat(p.start().awaitTermination(Duration.ofSeconds(90))).as("the bounded run ends").isTrue();
  }

  @Test
  void when_events_are_processed_then_each_has_one_row_and_one_record_and_a_restart_repeats_nothing(
      PostgresDatabase db) throws SQLException {
    // Given: 300 orders in 3 partitions and a results table without a unique key (doubles would show)
    Topics t = Topics.create(3);
    execute(db.dataSource(), "CREATE TABLE results (id TEXT, result TEXT)");
    produce(kafka.bootstrapServers(), t.in, 0, 300);

    // When: a bounded run, then a second run over the same input, then a run after 50 more orders
    try (TransactionalProcessor<String> p = builder("normal", t, db).build()) {
      run(p.transactional(resultWriter(t.out)));
    }
    try (TransactionalProcessor<String> p = builder("normal", t, db).build()) {
      run(p.transactional(resultWriter(t.out)));
    }
    produce(kafka.bootstrapServers(), t.in, 300, 350);
    try (TransactionalProcessor<String> p = builder("normal", t, db).build()) {
      run(p.transactional(resultWriter(t.out)));
      assertThat(p.relayedSequence()).as("one outbox row per event, numbered from 1").isEqualTo(350);
    }

    // Then: each order has exactly one row and one committed record, with the same result
    List<ConsumerRecord<String, String>> records = readCommitted(kafka.bootstrapServers(), t.out);
    assertThat(disagreement(expected(0, 350), rows(db.dataSource(), "SELECT id, result FROM results"), records))
        .isEmpty();
    assertThat(count(db.dataSource(), "SELECT count(*) FROM nip_tx_outbox")).as("relayed rows are deleted").isZero();
    assertThat(count(db.dataSource(), "SELECT sum(next_offset) FROM nip_tx_positions WHERE processor = 'normal'"))
        .as("the positions cover every input record").isEqualTo(350);
  }

  @Test
  void when_the_handler_throws_then_the_event_rolls_back_wholly_and_goes_to_the_dead_letter_topic_once(
      PostgresDatabase db) throws SQLException {
    // Given: a handler that writes its row and record, then throws for every 7th order, and throws
    // on the first run only for every 5th
    Topics t = Topics.create(2);
    execute(db.dataSource(), "CREATE TABLE results (id TEXT, result TEXT)");
    produce(kafka.bootstrapServers(), t.in, 0, 100);
    Map<String, Integer> runs = new ConcurrentHashMap<>();
    TransactionalHandler<String> flaky = (event, tx) -> {
      int i = Integer.parseInt(event.value());
      int run = runs.merge(event.key(), 1, Integer::sum);
      resultWriter(t.out).handle(event, tx);
      if (i % 7 == 0) {
        throw new IllegalStateException("order " + i + " is broken");
      }
      if (i % 5 == 0 && run == 1) {
        throw new IllegalStateException("order " + i + " failed once");
      }
    };

    // When
    try (TransactionalProcessor<String> p = builder("failing", t, db).retry(2, Duration.ofMillis(5))
        .deadLetterTopic(t.dlq).build()) {
      run(p.transactional(flaky));
    }

    // Then: the broken orders have no row and no record, each is in the dead-letter topic once, with
    // its original value and the error; the others (retried ones included) are there once
    Map<String, String> ok = expected(0, 100);
    List<String> broken = new ArrayList<>();
    for (int i = 0; i < 100; i += 7) {
      ok.remove("order-" + i);
      broken.add("order-" + i);
    }
    assertThat(disagreement(ok, rows(db.dataSource(), "SELECT id, result FROM results"),
        readCommitted(kafka.bootstrapServers(), t.out))).isEmpty();
    List<ConsumerRecord<String, String>> dead = readCommitted(kafka.bootstrapServers(), t.dlq);
    assertThat(countByKey(dead)).containsOnlyKeys(broken).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
    ConsumerRecord<String, String> first = dead.stream().filter(r -> r.key().equals("order-14")).findFirst().orElseThrow();
    assertThat(first.value()).isEqualTo("14");
    assertThat(header(first, "nip.error.message")).isEqualTo("order 14 is broken");
    assertThat(header(first, "nip.error.class")).isEqualTo(IllegalStateException.class.getName());
    assertThat(header(first, "nip.attempts")).isEqualTo("3");
    assertThat(header(first, "nip.source")).isEqualTo(t.in);
    assertThat(runs.get("order-14")).as("first run and two retries").isEqualTo(3);
    assertThat(runs.get("order-10")).as("failed once, then committed").isEqualTo(2);
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void when_an_event_fails_without_a_dead_letter_topic_then_the_processor_stops_and_a_restart_applies_it(
      PostgresDatabase db) throws SQLException {
    Topics t = Topics.create(1);
    execute(db.dataSource(), "CREATE TABLE results (id TEXT, result TEXT)");
    produce(kafka.bootstrapServers(), t.in, 0, 20);
    TransactionalHandler<String> brokenAt12 = (event, tx) -> {
      resultWriter(t.out).handle(event, tx);
      if (event.value().equals("12")) {
        throw new IllegalArgumentException("no order 12 today");
      }
    };

    // When: the handler fails for order 12 on every run
    try (TransactionalProcessor<String> p = builder("stopping", t, db).retry(1, Duration.ZERO).build()) {
      p.transactional(brokenAt12).start();
      // Then: the processor stops with the failure, naming the record
      assertThatThrownBy(() -> p.awaitTermination(Duration.ofSeconds(60)))
          .isInstanceOf(UserCodeException.class)
          .hasMessageContaining("stopping at record " + t.in + "-0@12 (2 attempts, no dead-letter topic set)")
          .hasRootCauseMessage("no order 12 today");
    }
    // and the orders before it are applied and relayed, order 12 and later are not
    assertThat(disagreement(expected(0, 12), rows(db.dataSource(), "SELECT id, result FROM results"),
        readCommitted(kafka.bootstrapServers(), t.out))).isEmpty();

    // When: a restart with a fixed handler
    try (TransactionalProcessor<String> p = builder("stopping", t, db).build()) {
      run(p.transactional(resultWriter(t.out)));
    }
    // Then: it carries on at order 12
    assertThat(disagreement(expected(0, 20), rows(db.dataSource(), "SELECT id, result FROM results"),
        readCommitted(kafka.bootstrapServers(), t.out))).isEmpty();
  }

  @Test
  void when_an_explicit_transaction_is_bound_to_a_position_then_it_applies_once_and_rolls_back_unless_committed(
      PostgresDatabase db) throws Exception {
    Topics t = Topics.create(1);
    execute(db.dataSource(), "CREATE TABLE results (id TEXT, result TEXT)");
    try (TransactionalProcessor<String> p = TransactionalProcessor.builder("explicit", Serdes.string())
        .kafka(kafka.bootstrapServers()).dataSource(db.dataSource()).build()) {
      p.start();
      // a transaction closed without commit leaves nothing
      try (Transaction tx = p.transaction("external", 0, 7)) {
        tx.database().update("INSERT INTO results VALUES ('rolled-back', '0')");
        tx.kafka().emit(t.out, "rolled-back", "0");
      }
      // the first transaction for offset 7 applies, the second finds it applied
      for (int attempt = 0; attempt < 2; attempt++) {
        try (Transaction tx = p.transaction("external", 0, 7)) {
          assertThat(tx.alreadyApplied()).isEqualTo(attempt == 1);
          if (!tx.alreadyApplied()) {
            tx.database().update("INSERT INTO results VALUES (?, ?)", "order-7", "70");
            tx.kafka().emit(t.out, "order-7", "70");
            tx.commit();
          } else {
            assertThatThrownBy(tx::database).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("applied before");
          }
        }
      }
      // an earlier offset of the same partition is covered too
      try (Transaction tx = p.transaction("external", 0, 3)) {
        assertThat(tx.alreadyApplied()).isTrue();
      }
    }
    assertThat(disagreement(Map.of("order-7", "70"), rows(db.dataSource(), "SELECT id, result FROM results"),
        readCommitted(kafka.bootstrapServers(), t.out))).isEmpty();
  }

  @Test
  void when_writers_commit_and_roll_back_concurrently_then_the_relay_sends_every_committed_record_once_in_order(
      PostgresDatabase db) throws Exception {
    // Given: 4 threads of explicit transactions, each emitting 2 records; every 3rd is rolled back
    Topics t = Topics.create(1);
    execute(db.dataSource(), "CREATE TABLE results (id TEXT, result TEXT)");
    Map<String, String> committed = new ConcurrentHashMap<>();
    try (TransactionalProcessor<String> p = TransactionalProcessor.builder("concurrent", Serdes.string())
        .kafka(kafka.bootstrapServers()).jdbcUrl(db.jdbcUrl()).user(db.user()).poolSize(8).relayBatchSize(7)
        .build()) {
      p.start();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 60; i++) {
            String id = "w" + writer + "-" + i;
            try (Transaction tx = p.transaction()) {
              tx.database().update("INSERT INTO results VALUES (?, ?)", id, "a");
              tx.kafka().emit(t.out, id, "a");
              tx.kafka().emit(t.out, id + "-b", "b");
              if (i % 3 != 2) {
                tx.commit();
                committed.put(id, "a");
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
    }
    // Then: every committed transaction's two records arrived once, each writer's in its order
    List<ConsumerRecord<String, String>> records = readCommitted(kafka.bootstrapServers(), t.out);
    List<ConsumerRecord<String, String>> firsts = records.stream().filter(r -> !r.key().endsWith("-b")).toList();
    assertThat(disagreement(committed, rows(db.dataSource(), "SELECT id, result FROM results"), firsts)).isEmpty();
    assertThat(records).hasSize(2 * committed.size());
    for (int w = 0; w < 4; w++) {
      String prefix = "w" + w + "-";
      List<Integer> order = firsts.stream().filter(r -> r.key().startsWith(prefix))
          .map(r -> Integer.parseInt(r.key().substring(prefix.length()))).toList();
      assertThat(order).as("writer %d's records in commit order", w).isSorted();
    }
    assertThat(count(db.dataSource(), "SELECT last_seq FROM nip_tx_sequences WHERE processor = 'concurrent'"))
        .as("rolled-back transactions took no sequence numbers").isEqualTo(2L * committed.size());
  }

  @Test
  void when_the_tables_are_older_than_the_relay_position_then_the_processor_refuses_to_start(PostgresDatabase db)
      throws SQLException {
    // Given: a run that relayed 10 records, then the processor's tables dropped (as by a restore)
    Topics t = Topics.create(1);
    execute(db.dataSource(), "CREATE TABLE results (id TEXT, result TEXT)");
    produce(kafka.bootstrapServers(), t.in, 0, 10);
    try (TransactionalProcessor<String> p = builder("restored", t, db).build()) {
      run(p.transactional(resultWriter(t.out)));
    }
    execute(db.dataSource(), "DROP TABLE nip_tx_outbox, nip_tx_positions, nip_tx_sequences");

    // When / Then: the relay finds its position 10 beyond the new counter 0 and stops the processor
    try (TransactionalProcessor<String> p = builder("restored", t, db).build()) {
      p.start();
      assertThatThrownBy(() -> p.awaitTermination(Duration.ofSeconds(60))).isInstanceOf(ConnectorException.class)
          .hasMessageContaining("relay position 10").hasMessageContaining("beyond the last outbox sequence number 0");
    }
  }

  @Test
  void when_postgres_refuses_a_commit_under_repeatable_read_then_the_event_runs_again_without_counting_a_retry(
      PostgresDatabase db) throws SQLException {
    // Given: one event, no retries, and a handler whose first run meets a concurrent update of the
    // row it read (PostgreSQL: "could not serialize access due to concurrent update", 40001)
    Topics t = Topics.create(1);
    execute(db.dataSource(), "CREATE TABLE totals (id INT PRIMARY KEY, total INT)");
    execute(db.dataSource(), "INSERT INTO totals VALUES (1, 0)");
    produce(kafka.bootstrapServers(), t.in, 0, 1);
    AtomicInteger runs = new AtomicInteger();
    TransactionalHandler<String> addOne = (event, tx) -> {
      tx.database().query("SELECT total FROM totals WHERE id = 1", rs -> rs.getInt(1));
      if (runs.incrementAndGet() == 1) {
        execute(db.dataSource(), "UPDATE totals SET total = total + 100 WHERE id = 1");
      }
      tx.database().update("UPDATE totals SET total = total + 1 WHERE id = 1");
      tx.kafka().emit(t.out, event.key(), "added");
    };

    // When
    try (TransactionalProcessor<String> p = builder("repeatable", t, db).isolationLevel(IsolationLevel.REPEATABLE_READ)
        .retry(0, Duration.ZERO).build()) {
      run(p.transactional(addOne));
    }

    // Then: the second run committed, on top of the concurrent update; the first left nothing
    assertThat(runs).hasValue(2);
    assertThat(count(db.dataSource(), "SELECT total FROM totals WHERE id = 1")).isEqualTo(101);
    assertThat(countByKey(readCommitted(kafka.bootstrapServers(), t.out))).isEqualTo(Map.of("order-0", 1));
  }

  @Test
  void when_an_instance_runs_then_a_second_one_under_the_same_name_waits_and_is_refused(PostgresDatabase db) {
    Topics t = Topics.create(1);
    try (TransactionalProcessor<String> first = builder("single", t, db).build();
        TransactionalProcessor<String> second = builder("single", t, db).lockTimeout(Duration.ofMillis(300)).build()) {
      first.start();
      assertThatThrownBy(second::start).isInstanceOf(ConnectorException.class)
          .hasMessageContaining("another instance of it runs").hasMessageContaining("lockTimeout");
    }
  }

  @Test
  void bad_settings_are_refused_naming_the_setting() {
    assertThatThrownBy(() -> TransactionalProcessor.builder("has space", Serdes.string()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("name").hasMessageContaining("has space");
    var b = TransactionalProcessor.builder("p", Serdes.string());
    assertThatThrownBy(() -> b.jdbcUrl("jdbc:mysql://db/app?password=hunter22"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("url").hasMessageNotContaining("hunter22");
    assertThatThrownBy(() -> b.kafkaProperty("isolation.level", "read_uncommitted"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("set by the processor");
    assertThatThrownBy(() -> b.retry(-1, Duration.ZERO)).hasMessageContaining("retry.retries");
    assertThatThrownBy(() -> b.poolSize(2)).hasMessageContaining("poolSize");
    assertThatThrownBy(() -> b.tablePrefix("Bad-")).hasMessageContaining("table prefix");
    assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class).hasMessageStartingWith("kafka: missing");
    b.kafka("localhost:9");
    assertThatThrownBy(b::build).hasMessageStartingWith("url: missing");
    b.jdbcUrl("jdbc:postgresql://localhost:9/app").source("in").deadLetterTopic("in");
    assertThatThrownBy(b::build).hasMessageContaining("deadLetterTopic");
    try (TransactionalProcessor<String> p = TransactionalProcessor.builder("p", Serdes.string()).kafka("localhost:9")
        .jdbcUrl("jdbc:postgresql://localhost:9/app").build()) {
      assertThatThrownBy(() -> p.transactional((e, tx) -> { })).isInstanceOf(ConfigurationException.class)
          .hasMessageStartingWith("source: missing");
      assertThatThrownBy(p::transaction).isInstanceOf(IllegalStateException.class).hasMessageContaining("start()");
    }
  }
}
