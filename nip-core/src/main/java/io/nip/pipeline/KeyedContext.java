package io.nip.pipeline;

import io.nip.event.Headers;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StoreSpec;
import io.nip.state.ValueState;
import java.time.Duration;
import java.time.Instant;

/**
 * What a {@link KeyedProcessor} sees: the current key and time, state scoped to the key, timers,
 * and the output.
 *
 * @param <K> key type
 * @param <R> output type
 */
public interface KeyedContext<K, R> {

  /** @return the key of the record or timer being processed */
  K currentKey();

  /** @return the event time of the record, or the time of the timer, being processed */
  Instant timestamp();

  /** @return the task's current event-time watermark */
  Instant currentWatermark();

  /**
   * The event-time watermark of one part of this operator's input: the part that passed through the
   * upstream operator named {@code operator} (e.g. one side of a merge). It is the minimum over the
   * input channels of this keyed task (the upstream tasks of its key exchange) that carry that
   * operator's records — an idle channel at its last watermark, an
   * exhausted one no longer counted — and never behind {@link #currentWatermark()}; once every such
   * channel is exhausted it is the end of time, {@code Instant.ofEpochMilli(Long.MAX_VALUE)}. A two-input operator uses it to act as soon as one
   * input is complete up to a time (a stream–table join resolves a record at {@code t} once the table
   * side is past {@code t}) instead of waiting for the slower input. Timers still follow
   * {@link #currentWatermark()}.
   *
   * <pre>{@code
   * if (ctx.timestamp().isBefore(ctx.inputWatermark("profiles-right"))) {
   *   // no table update at or before this record's time can arrive any more
   * }
   * }</pre>
   *
   * @param operator the name of an upstream operator of the pipeline ({@code Op.named})
   * @return the watermark, {@link Instant#MIN} before the first one; {@link #currentWatermark()}
   *     when no input channel passes that operator (or this operator does not run after a key
   *     exchange)
   */
  default Instant inputWatermark(String operator) {
    return currentWatermark();
  }

  /**
   * The headers of the record being processed, as the source read them or an upstream
   * {@code withHeaders} set them: e.g. a W3C {@code traceparent}, so that a processor can continue
   * the record's trace.
   *
   * <pre>{@code
   * String tenant = ctx.headers().lastString("tenant");
   * }</pre>
   *
   * @return the current record's headers, never null; {@link Headers#EMPTY} in {@code onTimer} (a
   *     timer belongs to no record) and by default
   */
  default Headers headers() {
    return Headers.EMPTY;
  }

  /** @return the pipeline clock's current time */
  Instant currentProcessingTime();

  /** @param value emitted with the current timestamp */
  void emit(R value);

  /**
   * @param value the result
   * @param timestamp its event time
   */
  void emit(R value, Instant timestamp);

  /**
   * Fires {@code onTimer} once the watermark reaches {@code time}. Registering the same time twice
   * for a key fires once.
   *
   * @param time the event time
   */
  void registerEventTimeTimer(Instant time);

  /** @param time a previously registered event time, for the current key */
  void deleteEventTimeTimer(Instant time);

  /**
   * Fires {@code onTimer} once the pipeline clock reaches {@code time}.
   *
   * @param time the wall-clock time
   */
  void registerProcessingTimeTimer(Instant time);

  /** @param time a previously registered processing time, for the current key */
  void deleteProcessingTimeTimer(Instant time);

  /**
   * A value per key; created on first call, the same object on later calls.
   *
   * @param name state name, unique within the operator
   * @param serde how values are stored in snapshots
   * @param <V> value type
   * @return the state, scoped to the current key
   */
  <V> ValueState<V> valueState(String name, Serde<V> serde);

  /**
   * A value per key that expires {@code ttl} after its last update.
   *
   * @param name state name
   * @param serde value serde
   * @param ttl time to live, positive
   * @param <V> value type
   * @return the state, scoped to the current key
   */
  <V> ValueState<V> valueState(String name, Serde<V> serde, Duration ttl);

  /**
   * A task-wide key-value store (not scoped to the current key).
   *
   * @param spec the store's description
   * @param <SK> store key type
   * @param <SV> store value type
   * @return the store; the same object on later calls with the same name
   */
  <SK, SV> KeyValueStore<SK, SV> keyValueStore(StoreSpec<SK, SV> spec);

  /**
   * The pipeline's meter registry ({@link PipelineConfig#meterRegistry()}), for a processor's own
   * metrics. Register them in {@link KeyedProcessor#init} with {@link #metricTags()}, as the
   * built-in metrics are tagged:
   *
   * <pre>{@code
   * Counter rejected = Counter.builder("shop.orders.rejected").tags(ctx.metricTags()).register(ctx.meterRegistry());
   * }</pre>
   *
   * @return the registry; the same one for every task of the pipeline
   */
  MeterRegistry meterRegistry();

  /** @return the tags {@code pipeline} (the pipeline's name) and {@code operator} (this operator's name) */
  Tags metricTags();
}
