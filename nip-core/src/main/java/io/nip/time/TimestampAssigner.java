package io.nip.time;

import java.time.Instant;

/**
 * Extracts the event time of a value.
 *
 * <pre>{@code
 * TimestampAssigner<Order> byCreation = order -> order.createdAt();
 * }</pre>
 *
 * @param <T> the value type
 */
@FunctionalInterface
public interface TimestampAssigner<T> {

  /**
   * @param value the value
   * @return its event time; null means "use the source's timestamp"
   */
  Instant extract(T value);
}
