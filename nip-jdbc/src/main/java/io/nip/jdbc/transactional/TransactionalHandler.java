package io.nip.jdbc.transactional;

/**
 * The work of a {@link TransactionalProcessor} for one source record: everything it does through
 * the {@link Transaction} commits when it returns, together with the record's source position, or
 * not at all when it throws.
 *
 * <pre>{@code
 * processor.transactional((event, tx) -> {
 *   tx.database().update("INSERT INTO results VALUES (?, ?)", event.key(), event.value().length());
 *   tx.kafka().emit("results", event.key(), event.value().toUpperCase());
 * });
 * }</pre>
 *
 * <p>It may run more than once for a record (a retry after it threw, or PostgreSQL refused the
 * commit with a serialization failure), but only one run's effects are ever committed. Side effects
 * outside the transaction (an HTTP call, a file) are not covered.
 *
 * @param <V> the value type of the source records
 */
@FunctionalInterface
public interface TransactionalHandler<V> {
  /**
   * @param event the source record
   * @param tx the record's transaction
   * @throws Exception any failure: the transaction rolls back and the processor's retry and
   *     dead-letter settings decide what happens next
   */
  void handle(SourceRecord<V> event, Transaction tx) throws Exception;
}
