package io.nip.backpressure;

import io.nip.errors.ConfigurationException;

/**
 * What a source's bounded buffer does when it is full and the source delivers another record (the
 * tutorial's {@code overflow_strategy}).
 *
 * <pre>{@code
 * BufferManager buffer = BufferManager.of(10_000, BackpressureStrategy.DROP_OLDEST);
 * }</pre>
 */
public enum BackpressureStrategy {
  /**
   * The default: the source is not read until the buffer has room again (a Kafka source's fetch
   * then pauses its partitions). Nothing is lost; memory stays bounded; the source's lag grows.
   */
  BLOCK,
  /**
   * The oldest buffered record makes room for the new one: the freshest data is processed, a burst
   * loses its beginning. The source keeps being read at its own pace.
   */
  DROP_OLDEST,
  /**
   * The new record is dropped and the buffered ones stay: what was accepted is processed in order,
   * a burst loses its end. The source keeps being read at its own pace.
   */
  DROP_NEWEST;

  /**
   * @param name the tutorial's spelling ({@code "block"}, {@code "drop_oldest"}, {@code "drop_newest"}),
   *     case-insensitive; the enum constants' names are accepted too
   * @return the strategy
   * @throws ConfigurationException naming the setting {@code overflowStrategy} when the name is unknown
   */
  public static BackpressureStrategy fromName(String name) {
    return Names.parse(BackpressureStrategy.class, "overflowStrategy", name, "block, drop_oldest, drop_newest");
  }
}
