package io.nip.cep.internal;

import io.micrometer.core.instrument.Counter;
import io.nip.cep.PatternMatch;
import io.nip.errors.StateException;
import io.nip.errors.UserCodeException;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StoreSpec;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pattern's {@link Nfa} per key as a keyed processor, so that everything lives in the
 * engine's keyed state and timers and is snapshotted with every checkpoint.
 *
 * <p>State per key, in three stores of the operator:
 * <ul>
 *   <li>{@code nfa}: the key's {@link KeyState} (counters, pending times, partial matches);
 *   <li>{@code pending}: events waiting for the watermark, by arrival number;
 *   <li>{@code events}: the shared buffer, by position: each event some partial match took, once.
 * </ul>
 * An event at time t is buffered with an event-time timer at t + 1; when the watermark passes a
 * timer at T, every pending event of the key up to T - 1 is evaluated in (time, arrival) order,
 * absences due by T - 1 are emitted, hopeless partial matches are dropped, and the shared buffer
 * keeps exactly the events still referenced. Partial-match deadlines get their own timers, so a key
 * that sends nothing more is still cleaned up (and its absences emitted) as the watermark moves.
 * An event behind the watermark is late: counted in {@code nip.cep.late.events} and emitted as a
 * {@link LateEvent}.
 *
 * <p>If a condition throws, the events before the failing one stay evaluated, the failing one is
 * dropped from the buffer, the timer is registered again (so later events still run), and a
 * {@link UserCodeException} naming the pattern and the event time goes to the error policy. Any
 * other failure while evaluating an event (emitting downstream, reading state) keeps that event
 * pending, commits the evaluation so far and is rethrown; the event is evaluated again when the
 * watermark next moves (a retry of the timer does it at once). State is written once per call, at
 * the end, so it is consistent whichever way the call ends.
 *
 * <p>Threading: one instance serves every task of the operator, possibly on several threads; it
 * therefore keeps no per-task fields (stores are looked up from the context on each call).
 *
 * @param <K> key type
 * @param <T> event type
 */
public final class PatternProcessor<K, T> implements KeyedProcessor<K, T, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(PatternProcessor.class);
  private static final long LATE_LOG_INTERVAL_MILLIS = Duration.ofSeconds(10).toMillis();
  private static final KeyStateSerde STATE_SERDE = new KeyStateSerde();

  private final String name;
  private final Nfa nfa;
  private final StoreSpec<EventKey, T> pendingSpec;
  private final StoreSpec<EventKey, T> eventsSpec;
  private final AtomicLong lastLateLog = new AtomicLong(Long.MIN_VALUE);

  /**
   * @param name the pattern's (operator's) name
   * @param nfa the compiled pattern
   * @param keySerde the stream's key serde
   * @param eventSerde writes buffered events in state
   */
  @SuppressWarnings("unchecked")
  public PatternProcessor(String name, Nfa nfa, Serde<K> keySerde, Serde<T> eventSerde) {
    this.name = name;
    this.nfa = nfa;
    Serde<EventKey> keys = EventKey.serde((Serde<Object>) keySerde);
    this.pendingSpec = StoreSpec.keyValue("pending", keys, eventSerde);
    this.eventsSpec = StoreSpec.keyValue("events", keys, eventSerde);
  }

  @Override
  public void process(K key, T value, KeyedContext<K, Object> ctx) {
    long ts = ctx.timestamp().toEpochMilli();
    Instant wm = ctx.currentWatermark();
    if (!wm.equals(Instant.MIN) && ts < wm.toEpochMilli()) {
      late(value, ts, wm, ctx);
      return;
    }
    ValueState<KeyState> state = ctx.valueState("nfa", STATE_SERDE);
    KeyState st = state.value();
    if (st == null) {
      st = new KeyState();
    }
    long seq = st.nextSeq++;
    st.addPending(ts, seq);
    ctx.keyValueStore(pendingSpec).put(new EventKey(key, seq), value);
    state.update(st);
    ctx.registerEventTimeTimer(Instant.ofEpochMilli(Nfa.saturatedAdd(ts, 1)));
  }

  private void late(T value, long ts, Instant wm, KeyedContext<K, Object> ctx) {
    Counter.builder("nip.cep.late.events")
        .description("events behind the watermark, sent to the pattern's late-events output")
        .tags(ctx.metricTags()).register(ctx.meterRegistry()).increment();
    long now = ctx.currentProcessingTime().toEpochMilli();
    long last = lastLateLog.get();
    if ((last == Long.MIN_VALUE || now - last >= LATE_LOG_INTERVAL_MILLIS) && lastLateLog.compareAndSet(last, now)) {
      LOG.warn("pattern '{}': event at {} is behind the watermark {}; sent to the late-events output "
          + "(further ones counted in nip.cep.late.events)", name, Instant.ofEpochMilli(ts), wm);
    }
    ctx.emit(new LateEvent(value));
  }

  @Override
  public void onTimer(K key, Instant time, TimeDomain domain, KeyedContext<K, Object> ctx) {
    if (domain != TimeDomain.EVENT_TIME) {
      return;
    }
    ValueState<KeyState> state = ctx.valueState("nfa", STATE_SERDE);
    KeyState st = state.value();
    if (st == null) {
      return;
    }
    KeyValueStore<EventKey, T> pending = ctx.keyValueStore(pendingSpec);
    KeyValueStore<EventKey, T> events = ctx.keyValueStore(eventsSpec);
    long bound = time.toEpochMilli() - 1;
    Set<Long> before = references(st.partials);
    Map<Long, T> fresh = new HashMap<>();
    List<Long> consumed = new ArrayList<>();
    Nfa.Events lookup = pos -> {
      T e = fresh.get(pos);
      return e != null ? e : events.get(new EventKey(key, pos));
    };
    Nfa.Matches out = (m, at) -> ctx.emit(toMatch(key, m, lookup, at), Instant.ofEpochMilli(at));
    RuntimeException failure = null;
    long firstFresh = st.nextPos;
    while (st.hasPendingUpTo(bound)) {
      long ts = st.pendingTs[0];
      long seq = st.pendingSeq[0];
      T event = pending.get(new EventKey(key, seq));
      st.removeFirstPending();
      consumed.add(seq);
      if (event == null) {
        failure = new StateException("pattern '" + name + "': buffered event " + seq + " of key " + key
            + " is missing from store 'pending'");
        break;
      }
      long pos = st.nextPos++;
      fresh.put(pos, event);
      try {
        st.partials = nfa.completeAbsences(st.partials, ts - 1, out);
        st.partials = nfa.advance(st.partials, pos, ts, event, lookup, out);
      } catch (Nfa.ConditionFailed e) {
        failure = new UserCodeException(name, new IllegalStateException(
            "a condition failed on the event at " + Instant.ofEpochMilli(ts) + " of key " + key
                + "; the event is dropped from the pattern", e.getCause()));
        ctx.registerEventTimeTimer(time); // the events after it are evaluated right after
        break;
      } catch (RuntimeException e) {
        // not the event's fault (emitting, reading state): evaluate it again at the next watermark
        failure = e;
        fresh.remove(pos);
        st.nextPos--;
        st.restoreFirstPending(ts, seq);
        consumed.remove(consumed.size() - 1);
        retryAtNextWatermark(bound, ctx);
        break;
      }
    }
    if (failure == null) {
      try {
        st.partials = nfa.prune(nfa.completeAbsences(st.partials, bound, out), bound);
      } catch (RuntimeException e) {
        failure = e;
        retryAtNextWatermark(bound, ctx);
      }
    }
    commit(key, st, state, before, fresh, firstFresh, consumed, pending, events, ctx);
    if (failure != null) {
      throw failure;
    }
  }

  private static void retryAtNextWatermark(long bound, KeyedContext<?, Object> ctx) {
    Instant wm = ctx.currentWatermark();
    long now = wm.equals(Instant.MIN) ? bound : Math.max(bound, wm.toEpochMilli());
    ctx.registerEventTimeTimer(Instant.ofEpochMilli(Nfa.saturatedAdd(now, 1)));
  }

  private void commit(K key, KeyState st, ValueState<KeyState> state, Set<Long> before, Map<Long, T> fresh,
      long firstFresh, List<Long> consumed, KeyValueStore<EventKey, T> pending, KeyValueStore<EventKey, T> events,
      KeyedContext<K, Object> ctx) {
    for (long seq : consumed) {
      pending.delete(new EventKey(key, seq));
    }
    Set<Long> after = references(st.partials);
    for (long pos : before) {
      if (!after.contains(pos)) {
        events.delete(new EventKey(key, pos));
      }
    }
    for (long pos : after) {
      if (!before.contains(pos)) {
        events.put(new EventKey(key, pos), fresh.get(pos));
      }
    }
    for (Partial p : st.partials) {
      if (p.last() >= firstFresh) {
        long t = nfa.expiresBy(p);
        if (t != Long.MAX_VALUE) {
          ctx.registerEventTimeTimer(Instant.ofEpochMilli(Nfa.saturatedAdd(t, 1)));
        }
      }
    }
    if (st.isEmpty()) {
      state.clear();
    } else {
      state.update(st);
    }
  }

  private static Set<Long> references(List<Partial> partials) {
    Set<Long> refs = new HashSet<>();
    for (Partial p : partials) {
      for (long pos : p.positions) {
        refs.add(pos);
      }
    }
    return refs;
  }

  @SuppressWarnings("unchecked")
  private PatternMatch<K, T> toMatch(K key, Partial m, Nfa.Events lookup, long detectedAt) {
    List<String> names = nfa.stageNames();
    List<T> all = new ArrayList<>(m.positions.length);
    Map<String, List<T>> byStage = new LinkedHashMap<>();
    int i = 0;
    for (int s = 0; s < m.counts.length; s++) {
      List<T> stage = new ArrayList<>(m.counts[s]);
      for (int k = 0; k < m.counts[s]; k++) {
        T e = (T) lookup.get(m.positions[i++]);
        stage.add(e);
        all.add(e);
      }
      byStage.put(names.get(s), List.copyOf(stage));
    }
    return new PatternMatch<>(name, key, all, byStage, Instant.ofEpochMilli(detectedAt));
  }
}
