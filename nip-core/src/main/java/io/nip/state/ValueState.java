package io.nip.state;

/**
 * One value per key of a keyed stream: reads and writes apply to the key of the record (or timer)
 * being processed.
 *
 * <pre>{@code
 * ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
 * count.update(count.valueOr(0L) + 1);
 * }</pre>
 *
 * @param <V> value type
 */
public interface ValueState<V> {

  /** @return the value for the current key, or null */
  V value();

  /**
   * @param defaultValue returned when there is no value
   * @return the value for the current key, or the default
   */
  default V valueOr(V defaultValue) {
    V v = value();
    return v == null ? defaultValue : v;
  }

  /** @param value the new value for the current key, not null */
  void update(V value);

  /** Removes the current key's value. */
  void clear();
}
