package io.nip.pipeline;

import io.nip.time.TimeDomain;
import java.time.Instant;

/**
 * The low-level operator of a keyed stream: per-key state and timers, emitting any number of
 * results. Windows, sessions and patterns are built on the same machinery.
 *
 * <pre>{@code
 * KeyedProcessor<String, Click, String> p = (key, click, ctx) -> {
 *   ValueState<Long> n = ctx.valueState("n", Serdes.json(Long.class));
 *   n.update(n.valueOr(0L) + 1);
 *   ctx.emit(key + "=" + n.value());
 * };
 * }</pre>
 *
 * @param <K> key type
 * @param <T> input type
 * @param <R> output type
 */
@FunctionalInterface
public interface KeyedProcessor<K, T, R> {

  /**
   * Called once per task before any record; declare state here or lazily in {@link #process}.
   *
   * @param context the task's context
   */
  default void init(KeyedContext<K, R> context) {}

  /**
   * @param key the record's key
   * @param value the record
   * @param context emit results, read time, state and timers
   */
  void process(K key, T value, KeyedContext<K, R> context);

  /**
   * A timer registered for {@code key} fired.
   *
   * @param key the key the timer was registered for
   * @param time the timer's time
   * @param domain event time (watermark passed) or processing time (clock passed)
   * @param context emit results, read state of {@code key}
   */
  default void onTimer(K key, Instant time, TimeDomain domain, KeyedContext<K, R> context) {}

  /** Called once when the task ends. */
  default void close() {}
}
