package io.nip.operators.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.nip.event.Headers;
import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.StoreHolder;
import io.nip.runtime.internal.Operator;
import io.nip.runtime.internal.TaskRuntime;
import io.nip.runtime.internal.TimerQueue;
import io.nip.runtime.internal.TimerService;
import io.nip.errors.ConfigurationException;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StateBackend;
import io.nip.state.StoreSpec;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a {@link KeyedProcessor} in a keyed task: key-scoped state over the task's stores, event-time
 * timers fired when the watermark passes them (before the watermark moves on), processing-time
 * timers fired by {@link #tick}. Expired state is purged on the processing-time tick.
 */
public final class KeyedProcessOp extends Operator implements KeyedContext<Object, Object>, StoreHolder {
  private static final long PURGE_INTERVAL_MILLIS = 1_000;
  private final KeyedProcessor<Object, Object, Object> processor;
  private final Serde<Object> keySerde;
  private final Guard guard;
  private final String name;
  private final Map<String, KeyValueStore<?, ?>> stores = new LinkedHashMap<>();
  private final Map<String, ValueState<?>> valueStates = new LinkedHashMap<>();
  private TimerService<Void> timers;
  private long lastPurge = Long.MIN_VALUE;
  /** {@link #currentWatermark()} for {@link #watermarkMillis}; task thread only. */
  private Instant watermark = Instant.MIN;
  private long watermarkMillis = Long.MIN_VALUE;
  /** The last {@link #inputWatermark} answer, for its millis; task thread only. */
  private Instant inputWatermark = Instant.MIN;
  private long inputWatermarkMillis = Long.MIN_VALUE;

  public KeyedProcessOp(String name, KeyedProcessor<Object, Object, Object> processor, Serde<Object> keySerde, Guard guard) {
    this.name = name;
    this.processor = processor;
    this.keySerde = keySerde;
    this.guard = guard;
  }

  @Override
  public void open(TaskRuntime runtime) {
    super.open(runtime);
    timers = runtime.state().timers(name, keySerde, null);
    processor.init(this);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, KeyValueStore<?, ?>> stores() {
    return stores;
  }

  @Override
  public void process(Object value) {
    Object key = rt.key();
    try {
      processor.process(key, value, this);
    } catch (RuntimeException e) {
      guard.recover(value, e, v -> {
        processor.process(key, v, this);
        return v;
      });
    }
  }

  @Override
  public void watermark(long watermark, int port) {
    fire(watermark, TimeDomain.EVENT_TIME);
    out.watermark(watermark, outPort);
  }

  @Override
  public boolean tick(long nowMillis) {
    boolean fired = fire(nowMillis, TimeDomain.PROCESSING_TIME);
    if (nowMillis - lastPurge >= PURGE_INTERVAL_MILLIS || lastPurge == Long.MIN_VALUE) {
      lastPurge = nowMillis;
      for (KeyValueStore<?, ?> s : stores.values()) {
        s.purgeExpired();
      }
    }
    return fired;
  }

  private boolean fire(long upTo, TimeDomain domain) {
    boolean fired = false;
    TimerQueue.Timer t;
    while ((t = timers.pollDue(domain, upTo)) != null) {
      fired = true;
      Instant time = Instant.ofEpochMilli(t.time());
      Object key = t.key();
      // a timer's output is no record's: no headers
      rt.callAs(key, t.time(), rt.position(), rt.positionRef(), null, Headers.EMPTY, () -> {
        try {
          processor.onTimer(key, time, domain, this);
        } catch (RuntimeException e) {
          guard.recover(key, e, k -> {
            processor.onTimer(k, time, domain, this);
            return k;
          });
        }
        return null;
      });
    }
    return fired;
  }

  @Override
  public void close() {
    try {
      processor.close();
    } finally {
      for (KeyValueStore<?, ?> s : stores.values()) {
        s.close();
      }
    }
  }

  // ---- KeyedContext ----

  @Override
  public Object currentKey() {
    return rt.key();
  }

  @Override
  public Headers headers() {
    return rt.headers(); // EMPTY inside onTimer: fire() calls it with no record's headers
  }

  @Override
  public Instant timestamp() {
    return rt.currentTimestamp();
  }

  @Override
  public Instant currentWatermark() {
    // the watermark moves far less often than records arrive (a pattern asks for it per event):
    // one Instant per watermark, not per call
    long w = rt.watermark();
    if (w != watermarkMillis) {
      watermark = w == Long.MIN_VALUE ? Instant.MIN : Instant.ofEpochMilli(w);
      watermarkMillis = w;
    }
    return watermark;
  }

  @Override
  public Instant inputWatermark(String operator) {
    long w = rt.inputWatermark(operator);
    if (w != inputWatermarkMillis) { // as for currentWatermark(): one Instant per change, not per call
      inputWatermark = w == Long.MIN_VALUE ? Instant.MIN : Instant.ofEpochMilli(w);
      inputWatermarkMillis = w;
    }
    return inputWatermark;
  }

  @Override
  public Instant currentProcessingTime() {
    return rt.clock().instant();
  }

  @Override
  public MeterRegistry meterRegistry() {
    return rt.meterRegistry();
  }

  @Override
  public Tags metricTags() {
    return Tags.of("pipeline", rt.pipelineName(), "operator", name);
  }

  @Override
  public void emit(Object value) {
    out.process(value);
  }

  @Override
  public void emit(Object value, Instant timestamp) {
    rt.emitAs(out, rt.key(), timestamp.toEpochMilli(), value);
  }

  @Override
  public void registerEventTimeTimer(Instant time) {
    timers.register(TimeDomain.EVENT_TIME, time.toEpochMilli(), rt.key(), null);
  }

  @Override
  public void deleteEventTimeTimer(Instant time) {
    timers.delete(TimeDomain.EVENT_TIME, time.toEpochMilli(), rt.key(), null);
  }

  @Override
  public void registerProcessingTimeTimer(Instant time) {
    timers.register(TimeDomain.PROCESSING_TIME, time.toEpochMilli(), rt.key(), null);
  }

  @Override
  public void deleteProcessingTimeTimer(Instant time) {
    timers.delete(TimeDomain.PROCESSING_TIME, time.toEpochMilli(), rt.key(), null);
  }

  @Override
  public <V> ValueState<V> valueState(String stateName, Serde<V> serde) {
    return valueState(stateName, serde, null);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> ValueState<V> valueState(String stateName, Serde<V> serde, Duration ttl) {
    ValueState<?> existing = valueStates.get(stateName);
    if (existing != null) {
      return (ValueState<V>) existing;
    }
    StoreSpec<Object, V> spec = StoreSpec.keyValue(stateName, keySerde, serde);
    if (ttl != null) {
      spec = spec.withTtl(ttl);
    }
    KeyValueStore<Object, V> store = keyValueStore(spec);
    ValueState<V> state = new ValueState<>() {
      @Override
      public V value() {
        return store.get(rt.key());
      }

      @Override
      public void update(V value) {
        store.put(rt.key(), value);
      }

      @Override
      public void clear() {
        store.delete(rt.key());
      }
    };
    valueStates.put(stateName, state);
    return state;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <SK, SV> KeyValueStore<SK, SV> keyValueStore(StoreSpec<SK, SV> spec) {
    KeyValueStore<?, ?> existing = stores.get(spec.name());
    if (existing != null) {
      return (KeyValueStore<SK, SV>) existing;
    }
    if (rt == null) {
      throw new ConfigurationException("state", "stores can only be created once the task runs (in init or process)");
    }
    KeyValueStore<SK, SV> store = rt.state().store(name, spec);
    stores.put(spec.name(), store);
    return store;
  }
}
