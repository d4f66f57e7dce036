package io.nip.streaming;

import io.micrometer.core.instrument.Counter;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.state.ValueState;
import java.time.Duration;

/**
 * The seen-set of {@link IdempotentProcessor}, as a plain {@link KeyedProcessor} keyed by the
 * event id.
 *
 * <p>Design: the stream is keyed by the id, so "seen" is one {@link ValueState} per id (the
 * pipeline-clock millis of its first acceptance) in the store {@value #SEEN}, with the TTL. A
 * checkpoint therefore holds the seen-set with the rest of the task's state, a restore brings it
 * back (with each entry's original expiry), and every backend (memory, RocksDB, Redis) and the
 * changelog treat it like any other keyed state; nothing lives in fields. The entry is written only
 * when an id is first accepted and never refreshed by a duplicate, so an id is remembered exactly
 * {@code ttl} after its first acceptance, and a steady stream of retries cannot keep an entry alive
 * forever. Expired entries read as absent at once and are purged by the keyed operator's
 * processing-time tick (about every second), which bounds the store by the distinct ids accepted
 * within the last TTL.
 *
 * <p>Threading: one instance serves every keyed task of its operator, on several threads, and
 * belongs to one pipeline (the facade creates one per {@code applyTo}); its only field is the
 * duplicates counter, the same object for every task (Micrometer returns the registered counter
 * for the same name and tags).
 *
 * @param <T> event type
 */
final class DedupProcessor<T> implements KeyedProcessor<String, T, T> {
  static final String SEEN = "seen-ids";
  static final String DUPLICATES_METRIC = "nip.idempotent.duplicates";
  private static final Serde<Long> FIRST_SEEN = Serdes.json(Long.class);

  private final Duration ttl;
  private volatile Counter duplicates;

  DedupProcessor(Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public void init(KeyedContext<String, T> ctx) {
    // created up front, so that a restored task gets its seen-set back before the first record
    seen(ctx);
    duplicates = Counter.builder(DUPLICATES_METRIC)
        .description("events dropped by an IdempotentProcessor because their id was seen within the TTL")
        .tags(ctx.metricTags())
        .register(ctx.meterRegistry());
  }

  @Override
  public void process(String id, T event, KeyedContext<String, T> ctx) {
    ValueState<Long> seen = seen(ctx);
    if (seen.value() != null) {
      duplicates.increment();
      return;
    }
    seen.update(ctx.currentProcessingTime().toEpochMilli());
    ctx.emit(event);
  }

  private ValueState<Long> seen(KeyedContext<String, T> ctx) {
    return ctx.valueState(SEEN, FIRST_SEEN, ttl);
  }
}
