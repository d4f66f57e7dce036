package io.nip.streaming;

import io.nip.errors.SerializationException;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.state.KeyValueStore;
import io.nip.state.StoreSpec;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The processing rounds of {@link StatefulProcessor}, as a plain {@link KeyedProcessor}.
 *
 * <p>Design: everything a round needs lives in the task's keyed state, so a checkpoint captures
 * it whole and a restore neither loses nor doubles a buffered event:
 * <ul>
 *   <li>{@value #ROUND} — per key, the open round: how many events it buffered, its flush deadline
 *       (processing time) and the largest event time among them;
 *   <li>{@value #EVENTS} — the buffered events, one entry per event keyed by (key, index), so a
 *       serializing backend writes one event per record instead of the whole list again;
 *   <li>{@value #STATE} — per key, the user's {@code Map<String, Object>} as JSON, with the TTL;
 *   <li>timers — a processing-time timer at the deadline, and an event-time timer at the end of
 *       time, which fires only when the input is exhausted (a stopped pipeline keeps its open
 *       rounds in its last checkpoint instead).
 * </ul>
 * A round opens with a key's first event while none is open; it closes with its
 * {@code maxEvents}-th event (synchronously, that event included), at its deadline, or at the end
 * of input, whichever comes first; then its entries and timers are removed and the user's function
 * runs. The user's state is handed over as a fresh copy read back from its JSON, and written back
 * (as JSON again) only after the function returned, so every backend gives the function the same
 * values and a failed call changes nothing. Under RETRY the operator calls this processor again
 * for the same record or timer: the events of the failed call wait for it in a per-thread stash,
 * valid only for that immediate retry. Under SKIP or DEAD_LETTER the round is dropped.
 *
 * <p>Threading: one instance serves every keyed task of the operator, on several threads, and
 * every restored copy of it: it holds no per-task field; state handles come from the context.
 *
 * @param <K> key type
 * @param <T> event type
 * @param <R> result type
 */
final class RoundProcessor<K, T, R> implements KeyedProcessor<K, T, R> {
  static final String ROUND = "round";
  static final String EVENTS = "round-events";
  static final String STATE = "state";
  /** Fires only when the input is exhausted: the watermark then moves to the end of time. */
  static final Instant END_OF_INPUT = Instant.ofEpochMilli(Long.MAX_VALUE);
  private static final Serde<Map<String, Object>> JSON_MAP = Serdes.jsonMap();
  private static final Serde<Round> ROUND_SERDE = new RoundSerde();

  private final StatefulProcessor.Aggregation<K, T, R> fn;
  private final StoreSpec<Slot, T> eventsSpec;
  private final Duration ttl;
  private final long flushMillis;
  private final int maxEvents;
  private final ThreadLocal<Stash> stash = new ThreadLocal<>();

  /**
   * One buffered event's place.
   *
   * @param key the key
   * @param index its position in the round, from 0
   */
  record Slot(Object key, int index) {}

  /**
   * An open round of one key.
   *
   * @param count buffered events
   * @param deadline processing time at which it closes, epoch millis
   * @param maxEventTime the largest event time among its events, epoch millis
   */
  record Round(int count, long deadline, long maxEventTime) {}

  /** The events of a round whose function failed, for the operator's immediate retry of the same call. */
  private record Stash(KeyedContext<?, ?> context, Object key, Object record, long timerTime, List<?> events,
      long maxEventTime) {}

  RoundProcessor(StatefulProcessor.Aggregation<K, T, R> fn, Serde<K> keySerde, Serde<T> eventSerde,
      Duration ttl, Duration flushInterval, int maxEvents) {
    this.fn = fn;
    this.eventsSpec = StoreSpec.keyValue(EVENTS, new SlotSerde(keySerde), eventSerde);
    this.ttl = ttl;
    this.flushMillis = flushInterval.toMillis();
    this.maxEvents = maxEvents;
  }

  @Override
  public void init(KeyedContext<K, R> ctx) {
    // created up front, so that a restored task gets its stores back before the first record
    round(ctx);
    events(ctx);
    userState(ctx);
  }

  @Override
  public void process(K key, T event, KeyedContext<K, R> ctx) {
    Stash retry = takeStash(ctx, key, event, Long.MIN_VALUE);
    if (retry != null) {
      close(key, retry, ctx);
      return;
    }
    ValueState<Round> round = round(ctx);
    Round r = round.value();
    long ts = ctx.timestamp().toEpochMilli();
    int count = r == null ? 0 : r.count();
    long maxTs = r == null ? ts : Math.max(r.maxEventTime(), ts);
    if (count + 1 >= maxEvents) {
      List<T> events = read(key, count, ctx);
      events.add(event);
      if (r != null) {
        discard(key, r, ctx);
      }
      close(key, new Stash(ctx, key, event, Long.MIN_VALUE, events, maxTs), ctx);
      return;
    }
    events(ctx).put(new Slot(key, count), event);
    if (r == null) {
      long now = ctx.currentProcessingTime().toEpochMilli();
      long deadline = now > Long.MAX_VALUE - flushMillis ? Long.MAX_VALUE : now + flushMillis;
      ctx.registerProcessingTimeTimer(Instant.ofEpochMilli(deadline));
      ctx.registerEventTimeTimer(END_OF_INPUT);
      round.update(new Round(1, deadline, ts));
    } else {
      round.update(new Round(count + 1, r.deadline(), maxTs));
    }
  }

  @Override
  public void onTimer(K key, Instant time, TimeDomain domain, KeyedContext<K, R> ctx) {
    long t = time.toEpochMilli();
    Stash retry = takeStash(ctx, key, null, t);
    if (retry != null) {
      close(key, retry, ctx);
      return;
    }
    Round r = round(ctx).value();
    if (r == null || (domain == TimeDomain.PROCESSING_TIME && t != r.deadline())) {
      return; // the round this timer was set for is closed already
    }
    List<T> events = read(key, r.count(), ctx);
    discard(key, r, ctx);
    close(key, new Stash(ctx, key, null, t, events, r.maxEventTime()), ctx);
  }

  /** Calls the user's function; on success stores the state and emits the result. */
  @SuppressWarnings("unchecked")
  private void close(K key, Stash round, KeyedContext<K, R> ctx) {
    ValueState<Map<String, Object>> state = userState(ctx);
    Map<String, Object> stored = state.value();
    Map<String, Object> working = stored == null ? new LinkedHashMap<>() : JSON_MAP.deserialize(JSON_MAP.serialize(stored));
    R result;
    byte[] json;
    try {
      result = fn.apply(key, Collections.unmodifiableList((List<T>) round.events()), working);
    } catch (RuntimeException e) {
      stash.set(round);
      throw e;
    }
    try {
      json = JSON_MAP.serialize(working);
    } catch (SerializationException e) {
      stash.set(round);
      throw new SerializationException("the state of key " + key + " cannot be stored as JSON: " + e.getMessage(),
          null, e);
    }
    if (!working.isEmpty()) {
      state.update(JSON_MAP.deserialize(json));
    } else if (stored != null) {
      state.clear();
    }
    if (result != null) {
      ctx.emit(result, Instant.ofEpochMilli(round.maxEventTime()));
    }
  }

  private Stash takeStash(KeyedContext<K, R> ctx, K key, T record, long timerTime) {
    Stash s = stash.get();
    if (s == null) {
      return null;
    }
    stash.remove();
    return s.context() == ctx && s.record() == record && s.timerTime() == timerTime && Objects.equals(s.key(), key)
        ? s : null;
  }

  private List<T> read(K key, int count, KeyedContext<K, R> ctx) {
    KeyValueStore<Slot, T> events = events(ctx);
    List<T> out = new ArrayList<>(count + 1);
    for (int i = 0; i < count; i++) {
      out.add(events.get(new Slot(key, i)));
    }
    return out;
  }

  private void discard(K key, Round r, KeyedContext<K, R> ctx) {
    KeyValueStore<Slot, T> events = events(ctx);
    for (int i = 0; i < r.count(); i++) {
      events.delete(new Slot(key, i));
    }
    round(ctx).clear();
    ctx.deleteProcessingTimeTimer(Instant.ofEpochMilli(r.deadline()));
    ctx.deleteEventTimeTimer(END_OF_INPUT);
  }

  private ValueState<Round> round(KeyedContext<K, R> ctx) {
    return ctx.valueState(ROUND, ROUND_SERDE);
  }

  private KeyValueStore<Slot, T> events(KeyedContext<K, R> ctx) {
    return ctx.keyValueStore(eventsSpec);
  }

  private ValueState<Map<String, Object>> userState(KeyedContext<K, R> ctx) {
    return ttl == null ? ctx.valueState(STATE, JSON_MAP) : ctx.valueState(STATE, JSON_MAP, ttl);
  }

  /** A round as 20 bytes: count, deadline, largest event time. */
  private static final class RoundSerde implements Serde<Round> {
    @Override
    public byte[] serialize(Round r) {
      return r == null ? null
          : ByteBuffer.allocate(20).putInt(r.count()).putLong(r.deadline()).putLong(r.maxEventTime()).array();
    }

    @Override
    public Round deserialize(byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      if (bytes.length != 20) {
        throw new SerializationException("a round is 20 bytes, not " + bytes.length, bytes, null);
      }
      ByteBuffer b = ByteBuffer.wrap(bytes);
      return new Round(b.getInt(), b.getLong(), b.getLong());
    }
  }

  /** A slot as the key's bytes (the key serde of {@code keyBy}) followed by the index in 4 bytes. */
  private static final class SlotSerde implements Serde<Slot> {
    private final Serde<Object> keySerde;

    @SuppressWarnings("unchecked")
    SlotSerde(Serde<?> keySerde) {
      this.keySerde = (Serde<Object>) keySerde;
    }

    @Override
    public byte[] serialize(Slot s) {
      if (s == null) {
        return null;
      }
      byte[] key = keySerde.serialize(s.key());
      return ByteBuffer.allocate(key.length + 4).put(key).putInt(s.index()).array();
    }

    @Override
    public Slot deserialize(byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      if (bytes.length < 4) {
        throw new SerializationException("a round slot has at least 4 bytes", bytes, null);
      }
      Object key = keySerde.deserialize(Arrays.copyOf(bytes, bytes.length - 4));
      return new Slot(key, ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt());
    }
  }
}
