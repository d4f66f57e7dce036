package io.nip.cep.internal;

import io.micrometer.core.instrument.Counter;
import io.nip.cep.PatternMatch;
import io.nip.errors.UserCodeException;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.serde.Serde;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pattern's {@link Nfa} per key as a keyed processor, so that everything lives in the
 * engine's keyed state and timers and is snapshotted with every checkpoint.
 *
 * <p>State: one value per key in the store {@code nfa}, the key's {@link KeyState} (pending events,
 * the shared buffer of taken events, partial matches, timers). An event costs one read and one
 * write of it (a durable backend's write cache keeps it live; see {@link KeyStateSerde}).
 *
 * <p>Timers: a key has at most two event-time timers, whatever the number of its events and
 * partial matches: one just after its first pending event's time (evaluate it once the watermark
 * passes it) and one just after the earliest time a partial match can no longer progress or an
 * absence is proven. When the watermark passes a timer at T, every pending event of the key up to
 * T - 1 is evaluated in (time, arrival) order, absences due by T - 1 are emitted, hopeless partial
 * matches are dropped, the shared buffer keeps exactly the events still referenced, and the two
 * timers are set again. The remaining timers of every key are at T + 1 or later, so timers of all
 * keys still fire in time order and matches leave in event-time order as with a timer per event.
 * An event behind the watermark is late: counted in {@code nip.cep.late.events} and emitted as a
 * {@link LateEvent}.
 *
 * <p>Fast path: an event evaluated while its key has no partial match open and that fails the first
 * step's condition changes nothing; it gets no position and is not buffered ({@link Nfa#advance}
 * returns the same empty list).
 *
 * <p>If a condition throws, the events before the failing one stay evaluated, the failing one is
 * dropped, the key's timer is set again at T (so later events still run), and a
 * {@link UserCodeException} naming the pattern and the event time goes to the error policy. Any
 * other failure while evaluating an event (emitting downstream) keeps that event pending, commits
 * the evaluation so far, retries at the next watermark and is rethrown. State is written once per
 * call, at the end, so it is consistent whichever way the call ends.
 *
 * <p>Threading: one instance serves every task of the operator, possibly on several threads; it
 * therefore keeps no per-task fields (stores are looked up from the context on each call).
 *
 * @param <K> key type
 * @param <T> event type
 */
public final class PatternProcessor<K, T> implements KeyedProcessor<K, T, Object> {
  /** The store of the keys' {@link KeyState}s. */
  public static final String STORE = "nfa";
  private static final Logger LOG = LoggerFactory.getLogger(PatternProcessor.class);
  private static final long LATE_LOG_INTERVAL_MILLIS = Duration.ofSeconds(10).toMillis();

  private final String name;
  private final Nfa nfa;
  private final KeyStateSerde stateSerde;
  private final AtomicLong lastLateLog = new AtomicLong(Long.MIN_VALUE);

  /**
   * @param name the pattern's (operator's) name
   * @param nfa the compiled pattern
   * @param eventSerde writes buffered events in state
   */
  public PatternProcessor(String name, Nfa nfa, Serde<T> eventSerde) {
    this.name = name;
    this.nfa = nfa;
    this.stateSerde = new KeyStateSerde(eventSerde);
  }

  @Override
  public void process(K key, T value, KeyedContext<K, Object> ctx) {
    long ts = ctx.timestamp().toEpochMilli();
    Instant wm = ctx.currentWatermark();
    if (!wm.equals(Instant.MIN) && ts < wm.toEpochMilli()) {
      late(value, ts, wm, ctx);
      return;
    }
    ValueState<KeyState> state = ctx.valueState(STORE, stateSerde);
    KeyState st = state.value();
    if (st == null) {
      st = new KeyState();
    }
    st.addPending(ts, value);
    long eval = Nfa.saturatedAdd(st.pendingTs[0], 1);
    if (st.evalTimer == KeyState.NO_TIMER || eval < st.evalTimer) {
      setTimers(st, eval, st.expiryTimer, ctx);
    }
    state.update(st);
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
    ValueState<KeyState> state = ctx.valueState(STORE, stateSerde);
    KeyState st = state.value();
    if (st == null) {
      return;
    }
    long t = time.toEpochMilli();
    // the timer that fired is registered no more
    if (st.evalTimer == t) {
      st.evalTimer = KeyState.NO_TIMER;
    }
    if (st.expiryTimer == t) {
      st.expiryTimer = KeyState.NO_TIMER;
    }
    Evaluation ev = new Evaluation(key, st, t - 1, ctx);
    ev.run();
    long retryAt = ev.retryAt;
    if (ev.failure != null && !ev.conditionFailed) {
      Instant wm = ctx.currentWatermark();
      retryAt = Nfa.saturatedAdd(wm.equals(Instant.MIN) ? t - 1 : Math.max(t - 1, wm.toEpochMilli()), 1);
    }
    st.retainReferenced();
    scheduleNext(st, retryAt, ctx);
    if (st.isEmpty()) {
      state.clear();
    } else {
      state.update(st);
    }
    if (ev.failure != null) {
      throw ev.failure;
    }
  }

  /**
   * Sets the key's timers after an evaluation: just after its first pending event and its earliest
   * expiry; after a failure, the evaluation's retry time replaces the first, and covers an expiry
   * before it (so a failing event cannot make the timers fire again and again at one watermark).
   */
  private void scheduleNext(KeyState st, long retryAt, KeyedContext<K, Object> ctx) {
    long expiry = Long.MAX_VALUE;
    for (Partial p : st.partials) {
      expiry = Math.min(expiry, nfa.expiresBy(p));
    }
    expiry = expiry == Long.MAX_VALUE ? KeyState.NO_TIMER : Nfa.saturatedAdd(expiry, 1);
    long eval;
    if (retryAt != KeyState.NO_TIMER) {
      eval = retryAt;
      if (expiry != KeyState.NO_TIMER && expiry <= retryAt) {
        expiry = KeyState.NO_TIMER;
      }
    } else {
      eval = st.pendingSize > 0 ? Nfa.saturatedAdd(st.pendingTs[0], 1) : KeyState.NO_TIMER;
    }
    setTimers(st, eval, expiry, ctx);
  }

  /** Moves the key's registered timers to {@code eval} and {@code expiry} (either may be NO_TIMER). */
  private static void setTimers(KeyState st, long eval, long expiry, KeyedContext<?, Object> ctx) {
    long a = st.evalTimer;
    long b = st.expiryTimer;
    if (a != KeyState.NO_TIMER && a != eval && a != expiry) {
      ctx.deleteEventTimeTimer(Instant.ofEpochMilli(a));
    }
    if (b != KeyState.NO_TIMER && b != a && b != eval && b != expiry) {
      ctx.deleteEventTimeTimer(Instant.ofEpochMilli(b));
    }
    if (eval != KeyState.NO_TIMER && eval != a && eval != b) {
      ctx.registerEventTimeTimer(Instant.ofEpochMilli(eval));
    }
    if (expiry != KeyState.NO_TIMER && expiry != eval && expiry != a && expiry != b) {
      ctx.registerEventTimeTimer(Instant.ofEpochMilli(expiry));
    }
    st.evalTimer = eval;
    st.expiryTimer = expiry;
  }

  /**
   * One evaluation of a key's pending events up to a bound; also the NFA's view of the events
   * (the one being evaluated, then the shared buffer).
   */
  private final class Evaluation implements Nfa.Events, Nfa.Matches {
    private final K key;
    private final KeyState st;
    private final long bound;
    private final KeyedContext<K, Object> ctx;
    private long currentPos = -1;
    private Object current;
    /** The time to evaluate again at after a failing condition, or NO_TIMER. */
    long retryAt = KeyState.NO_TIMER;
    RuntimeException failure;
    /** The failure is a condition's: the event is dropped. */
    boolean conditionFailed;

    Evaluation(K key, KeyState st, long bound, KeyedContext<K, Object> ctx) {
      this.key = key;
      this.st = st;
      this.bound = bound;
      this.ctx = ctx;
    }

    void run() {
      int done = 0;
      while (done < st.pendingSize && st.pendingTs[done] <= bound) {
        if (!evaluate(st.pendingTs[done], st.pendingEvents[done])) {
          if (conditionFailed) {
            done++; // the event whose condition failed is dropped
          }
          break;
        }
        done++;
      }
      st.removePending(done);
      if (failure == null) {
        try {
          st.partials = nfa.prune(nfa.completeAbsences(st.partials, bound, this), bound);
        } catch (RuntimeException e) {
          failure = e;
        }
      }
    }

    /** @return false when the event failed: {@link #failure} says why */
    private boolean evaluate(long ts, Object event) {
      long pos = st.nextPos;
      currentPos = pos;
      current = event;
      try {
        st.partials = nfa.completeAbsences(st.partials, ts - 1, this);
        List<Partial> next = nfa.advance(st.partials, pos, ts, event, this, this);
        if (next != st.partials) {
          st.nextPos++;
          if (takes(next, pos)) {
            st.addToBuffer(pos, event);
          }
          st.partials = next;
        }
        return true;
      } catch (Nfa.ConditionFailed e) {
        failure = new UserCodeException(name, new IllegalStateException(
            "a condition failed on the event at " + Instant.ofEpochMilli(ts) + " of key " + key
                + "; the event is dropped from the pattern", e.getCause()));
        conditionFailed = true;
        retryAt = bound + 1; // the events after it are evaluated right after
        return false;
      } catch (RuntimeException e) {
        failure = e; // not the event's fault (emitting): evaluate it again at the next watermark
        return false;
      } finally {
        current = null;
        currentPos = -1;
      }
    }

    @Override
    public Object get(long position) {
      return position == currentPos ? current : st.buffered(position);
    }

    @Override
    public void emit(Partial match, long detectedAtMillis) {
      ctx.emit(toMatch(key, match, this, detectedAtMillis), Instant.ofEpochMilli(detectedAtMillis));
    }
  }

  private static boolean takes(List<Partial> partials, long position) {
    for (Partial p : partials) {
      if (p.last() == position) {
        return true;
      }
    }
    return false;
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
