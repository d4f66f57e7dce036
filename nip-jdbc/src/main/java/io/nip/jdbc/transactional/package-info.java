/**
 * Exactly-once processing from Kafka into PostgreSQL and Kafka at once:
 * {@link io.nip.jdbc.transactional.TransactionalProcessor} commits each event's database rows, its
 * Kafka records (through a transactional outbox relayed under Kafka transactions) and its source
 * position in one PostgreSQL transaction.
 *
 * <pre>{@code
 * processor.transactional((event, tx) -> {
 *   tx.database().update("INSERT INTO results VALUES (?, ?)", event.key(), event.value());
 *   tx.kafka().emit("results", event.key(), event.value());
 * });
 * }</pre>
 */
package io.nip.jdbc.transactional;
