package io.nip.pipeline;

import io.nip.errors.ConfigurationException;
import io.nip.serde.Serde;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A versioned table built from a changelog stream (a compacted topic, or any stream of updates):
 * each record sets its key's value from the record's event time on; a {@code null} value (a
 * tombstone) deletes the key from that time on. A join reads the value of a key <em>as of</em> an
 * event time, not just the latest one, so a left record joins the version that was valid when it
 * happened, whatever order the two streams arrive in.
 *
 * <p>History is kept for {@code retention} behind the watermark: versions older than that, except
 * the newest of them (still valid until the next version), are dropped, and a key whose newest
 * version is such a tombstone is removed. A left record more than {@code retention} behind the
 * watermark can no longer be answered exactly and is counted as late ({@code nip.join.late.events}).
 *
 * <pre>{@code
 * Table<String, Profile> profiles = pipeline.table(profileSource,
 *     WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5)),
 *     ProfileUpdate::userId, ProfileUpdate::profile, Serdes.json(Profile.class), Duration.ofHours(1));
 * // or from any stream of updates:
 * Table<String, Profile> same = Table.from(
 *     pipeline.from(profileSource, WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5))),
 *     ProfileUpdate::userId, ProfileUpdate::profile,   // profile() == null deletes the user
 *     Serdes.json(Profile.class), Duration.ofHours(1));
 * }</pre>
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class Table<K, V> {
  private final Stream<?> changes;
  private final Function<Object, ? extends K> keyFn;
  private final Function<Object, ? extends V> valueFn;
  private final Serde<V> valueSerde;
  private final Duration retention;

  @SuppressWarnings("unchecked")
  private <T> Table(Stream<T> changes, Function<? super T, ? extends K> keyFn, Function<? super T, ? extends V> valueFn,
      Serde<V> valueSerde, Duration retention) {
    this.changes = Objects.requireNonNull(changes, "changes");
    this.keyFn = (Function<Object, ? extends K>) Objects.requireNonNull(keyFn, "keyFn");
    this.valueFn = (Function<Object, ? extends V>) Objects.requireNonNull(valueFn, "valueFn");
    this.valueSerde = Objects.requireNonNull(valueSerde, "valueSerde");
    this.retention = Objects.requireNonNull(retention, "retention");
    if (retention.isNegative()) {
      throw ConfigurationException.invalid("table.retention", retention.toString(), "must be zero or positive");
    }
  }

  /**
   * @param changes the updates, each at its event time
   * @param keyFn the key an update sets; a null key is bad input (the pipeline's error policy)
   * @param valueFn the value from the update's time on; null deletes the key (a tombstone)
   * @param valueSerde how values are kept in state
   * @param retention how long behind the watermark older versions stay readable
   * @param <T> update type
   * @param <K> key type
   * @param <V> value type
   * @return the table
   * @throws ConfigurationException when {@code retention} is negative
   */
  public static <T, K, V> Table<K, V> from(Stream<T> changes, Function<? super T, ? extends K> keyFn,
      Function<? super T, ? extends V> valueFn, Serde<V> valueSerde, Duration retention) {
    return new Table<>(changes, keyFn, valueFn, valueSerde, retention);
  }

  /** @return the stream of updates the table is built from */
  public Stream<?> changes() {
    return changes;
  }

  /** @return the key an update sets (applied to the updates of {@link #changes()}) */
  public Function<Object, ? extends K> keyFn() {
    return keyFn;
  }

  /** @return the value an update sets; null for a tombstone */
  public Function<Object, ? extends V> valueFn() {
    return valueFn;
  }

  /** @return how values are kept in state */
  public Serde<V> valueSerde() {
    return valueSerde;
  }

  /** @return how long behind the watermark older versions stay readable */
  public Duration retention() {
    return retention;
  }
}
