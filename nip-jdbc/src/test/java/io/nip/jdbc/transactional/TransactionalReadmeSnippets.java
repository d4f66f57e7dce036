package io.nip.jdbc.transactional;

import io.nip.serde.Serdes;
import java.sql.SQLException;
import java.time.Duration;

/*
 * The TransactionalProcessor code of the module README, between tag markers: compiled with the
 * tests so that the README cannot drift from the API (ReadmeSnippetsTest in nip-examples checks
 * that each README block equals its tagged region). Not run: it names servers on other hosts;
 * TransactionalProcessorTest runs the same calls against real ones.
 */
final class TransactionalReadmeSnippets {
  private TransactionalReadmeSnippets() {}

  static void handler(String secret) {
    // tag::handler[]
    try (TransactionalProcessor<String> processor = TransactionalProcessor.builder("orders-tx", Serdes.string())
        .kafka("broker:9092").source("orders")
        .jdbcUrl("jdbc:postgresql://db:5432/app").user("nip").password(secret)
        .isolationLevel(IsolationLevel.READ_COMMITTED)
        .retry(3, Duration.ofMillis(100)).deadLetterTopic("orders-dlq")
        .build()) {
      processor.transactional((event, tx) -> {
        String result = event.value().toUpperCase();
        tx.database().update("INSERT INTO results (id, result) VALUES (?, ?)", event.key(), result);
        tx.kafka().emit("results", event.key(), result);
      });
      processor.start().awaitTermination(Duration.ofDays(365));
    }
    // end::handler[]
  }

  static void explicit(TransactionalProcessor<String> processor, String id, String result) throws SQLException {
    // tag::explicit[]
    try (Transaction tx = processor.transaction("orders", 0, 42L)) {
      if (!tx.alreadyApplied()) {
        tx.database().update("INSERT INTO results (id, result) VALUES (?, ?)", id, result);
        tx.kafka().emit("results", id, result);
        tx.commit();
      }
    }
    // end::explicit[]
  }
}
