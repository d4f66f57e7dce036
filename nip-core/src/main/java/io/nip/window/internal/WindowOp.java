package io.nip.window.internal;

import io.nip.event.Headers;
import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Operator;
import io.nip.runtime.internal.TaskRuntime;
import io.nip.runtime.internal.RateLimitedLog;
import io.nip.runtime.internal.MultiOutput;
import io.nip.runtime.internal.HoldsRecords;
import io.nip.runtime.internal.TimerQueue;
import io.nip.runtime.internal.TimerService;
import io.nip.time.TimeDomain;
import io.micrometer.core.instrument.Counter;
import io.nip.errors.StateException;
import io.nip.serde.Serde;
import io.nip.state.KeyValueStore;
import io.nip.state.StoreSpec;
import io.nip.window.Aggregate;
import io.nip.window.EarlyEmit;
import io.nip.window.GlobalWindow;
import io.nip.window.SessionWindow;
import io.nip.window.WindowAggregator;
import io.nip.window.WindowAssigner;
import io.nip.window.WindowResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * Keyed windows with incremental aggregation.
 *
 * <p>State: per key, the open windows by start time, each holding one accumulator (never the
 * events), in a store of the task's state backend. Timers: one event-time timer at the window end
 * fires the on-time result; with allowed lateness a second one at {@code end + lateness} purges
 * the window, and late events in between fire updates. An event whose every window is past
 * {@code end + lateness} goes to the late-events output (port 1) and the metric
 * {@code nip.window.late.events}. Early results: per update, or on a processing-time timer while
 * the window changed. Global windows fire on an event count or a processing-time interval and are
 * purged after each firing. Processing-time windows take the clock's time as the event time and
 * fire on processing-time timers. Which windows an event falls in, and which sessions it merges,
 * is the arithmetic of {@link FixedWindows} and {@link Sessions}; this class accumulates and fires.
 *
 * <p>Invariants. A final result is final: a window whose end the watermark already passed when it
 * is created or merged (a late event within the lateness) is born {@code fired} and emits a
 * {@code LATE_UPDATE} at once, never a later {@code ON_TIME}; a merged session is fired only if
 * its merged end is behind the watermark. A closed session (past {@code end + lateness}) keeps a
 * marker without its accumulator until {@code end + lateness + gap}, the last moment an on-time
 * event could still overlap it on its own, and beyond that while the key's next session starts
 * within a gap of its end (an event bridging into that later session would otherwise be accepted
 * for the later session's end): an event that would merge into it is late, so a closed session is
 * never followed by an overlapping one.
 */
public final class WindowOp extends Operator implements MultiOutput, HoldsRecords {
  private static final byte FIRE = 0;
  private static final byte CLEANUP = 1;
  private static final byte EARLY = 2;
  private static final byte PURGE = 3;

  /**
   * The payload of a window node.
   *
   * @param assigner window kind and sizes
   * @param aggregate the incremental aggregate
   * @param aggregator the named-aggregate combiner, or null
   * @param allowedLateness how long after its end a window still accepts events
   * @param earlyEmit speculative results, or null
   * @param processingTime whether windows follow the clock instead of event time
   */
  public record Spec(WindowAssigner assigner, Aggregate<Object, Object, Object> aggregate,
      WindowAggregator<Object, Object> aggregator, Duration allowedLateness, EarlyEmit earlyEmit,
      boolean processingTime) {}

  private record Ns(long start, byte kind) {}

  /** Writes a timer's namespace (window start and timer kind) in snapshots. */
  private static final Serde<Ns> NS_SERDE = new Serde<>() {
    @Override
    public byte[] serialize(Ns ns) {
      return java.nio.ByteBuffer.allocate(9).putLong(ns.start()).put(ns.kind()).array();
    }

    @Override
    public Ns deserialize(byte[] bytes) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
      return new Ns(b.getLong(), b.get());
    }
  };

  /** One open window of a key. */
  static final class Win {
    final long start;
    long end;
    Object acc;
    boolean fired;
    /** A session past {@code end + lateness}: no accumulator, kept only to reject overlapping events. */
    boolean closed;
    boolean dirty;
    boolean earlyTimer;
    long count;
    /**
     * Order within the operator of the last arming of the window's timer (its creation, for fixed
     * windows without lateness): windows due together fire in this order, also after a restore.
     */
    long seq;
    /**
     * While unfired: the time of its pending FIRE timer, which stays at an old end while a session
     * grows at its end (see {@link WindowOp#onTimer}); {@link Long#MIN_VALUE} when unknown (state of
     * an earlier build), and then any earlier FIRE timer of the window counts as the pending one.
     */
    long fireAt = Long.MIN_VALUE;
    /** Per input channel, the smallest source position folded into this window; null until known. */
    long[] minPos;

    Win(long start, long end, Object acc) {
      this.start = start;
      this.end = end;
      this.acc = acc;
    }
  }

  private final String name;
  private final Spec spec;
  private final WindowAssigner.Kind kind;
  private final long size;
  private final long lateness;
  /** Tumbling and sliding windows: their arithmetic; null otherwise. */
  private final FixedWindows fixed;
  private final long countTrigger;
  private final long intervalTrigger;
  private final long earlyInterval;
  private final boolean perUpdate;
  private final Guard guard;
  private final Serde<Object> keySerde;
  private TimerService<Ns> timers;
  private long nextSeq;
  /**
   * Tumbling and sliding event-time windows without lateness: the keys whose window starts at a
   * given time (windows of one assigner end in the order they start), instead of one timer per
   * window (no per-window hashing or heap operations).
   */
  private final TreeMap<Long, List<Object>> endBuckets;
  private KeyValueStore<Object, NavigableMap<Long, Win>> store;
  private boolean liveStore;
  private Operator lateOut;
  private int latePort;
  private Counter lateCounter;
  private RateLimitedLog lateLog;
  private final List<Win> scratch = new ArrayList<>();
  /** Timers are firing up to the end of time (the input ended): windows fire and go at once. */
  private boolean endOfTime;
  /**
   * Event-time windows with timers and without early results: each window's one pending timer is a
   * function of the window (its phase and bounds), so the timers are not checkpointed; a restore
   * arms them again, in the order they were last armed ({@code seq}, set at every arming).
   */
  private final boolean derivedTimers;

  /**
   * @param name the operator name (scope of its state and timers)
   * @param spec what to compute
   * @param keySerde writes the keys of its state and timers in snapshots
   * @param guard applies the error policy
   */
  public WindowOp(String name, Spec spec, Serde<Object> keySerde, Guard guard) {
    this.name = name;
    this.keySerde = keySerde;
    this.spec = spec;
    this.guard = guard;
    this.kind = spec.assigner().kind();
    // sessions: the half-open length of an event's own span (gap, or gap + 1 ms when inclusive);
    // merging, firing, lateness and the purge all follow it
    this.size = spec.assigner() instanceof SessionWindow s ? s.span().toMillis() : spec.assigner().size().toMillis();
    this.fixed = kind == WindowAssigner.Kind.TUMBLING || kind == WindowAssigner.Kind.SLIDING
        ? FixedWindows.of(spec.assigner()) : null;
    this.lateness = spec.allowedLateness().toMillis();
    GlobalWindow g = spec.assigner() instanceof GlobalWindow ? (GlobalWindow) spec.assigner() : null;
    this.countTrigger = g == null ? 0 : g.triggerCount();
    this.intervalTrigger = g == null || g.triggerInterval() == null ? 0 : g.triggerInterval().toMillis();
    this.perUpdate = spec.earlyEmit() != null && spec.earlyEmit().onEveryUpdate();
    this.earlyInterval = spec.earlyEmit() == null || spec.earlyEmit().interval() == null
        ? 0 : spec.earlyEmit().interval().toMillis();
    this.endBuckets = (kind == WindowAssigner.Kind.TUMBLING || kind == WindowAssigner.Kind.SLIDING)
        && lateness == 0 && !spec.processingTime() ? new TreeMap<>() : null;
    this.derivedTimers = !spec.processingTime() && earlyInterval == 0 && kind != WindowAssigner.Kind.GLOBAL
        && endBuckets == null;
  }

  String name() {
    return name;
  }

  KeyValueStore<Object, NavigableMap<Long, Win>> store() {
    return store;
  }

  @Override
  public void open(TaskRuntime runtime) {
    super.open(runtime);
    @SuppressWarnings("unchecked")
    Serde<Object> accumulators = (Serde<Object>) spec.aggregate().accumulatorSerde();
    store = runtime.state().store(name, StoreSpec.keyValue("windows", keySerde,
        new WindowStateSerde(name, accumulators)));
    timers = runtime.state().timers(name, keySerde, NS_SERDE);
    if (derivedTimers) {
      timers.idempotent(); // a stale or duplicate timer is not current when it fires (see current)
      timers.deriveFromState();
    }
    liveStore = store.storesLiveObjects();
    lateCounter = Counter.builder("nip.window.late.events")
        .description("events behind the watermark plus allowed lateness, sent to the late-events output")
        .tag("pipeline", runtime.pipelineName()).tag("operator", name)
        .register(runtime.meterRegistry());
    lateLog = new RateLimitedLog(LoggerFactory.getLogger(WindowOp.class), Duration.ofSeconds(10), runtime.clock());
  }

  @Override
  public int outputCount() {
    return 2;
  }

  @Override
  public void connectOutput(int port, Operator target, int targetPort) {
    if (port == 0) {
      connect(target, targetPort);
    } else {
      lateOut = target;
      latePort = targetPort;
    }
  }

  @Override
  public void process(Object value) {
    try {
      assign(value);
    } catch (RuntimeException e) {
      guard.recover(value, e, v -> {
        assign(v);
        return v;
      });
    }
  }

  private void assign(Object value) {
    Object key = rt.key();
    long ts = spec.processingTime() ? rt.clock().millis() : rt.timestamp();
    long wm = spec.processingTime() ? Long.MIN_VALUE : rt.watermark();
    switch (kind) {
      case TUMBLING:
      case SLIDING: {
        boolean accepted = false;
        for (long s = fixed.latestStart(ts); fixed.contains(s, ts); s = fixed.earlierStart(s)) {
          long end = fixed.end(s);
          if (FixedWindows.saturatedAdd(end, lateness) > wm) {
            addTo(key, s, end, wm, value);
            accepted = true;
          }
          if (s == Long.MIN_VALUE) {
            break;
          }
        }
        if (!accepted) {
          late(value);
        }
        break;
      }
      case SESSION:
        session(key, ts, wm, value);
        break;
      default:
        global(key, value);
    }
  }

  private NavigableMap<Long, Win> windowsOf(Object key) {
    NavigableMap<Long, Win> kw = store.get(key);
    if (kw == null) {
      kw = new TreeMap<>();
      if (liveStore) {
        store.put(key, kw);
      }
    }
    return kw;
  }

  /** A live store already holds the changed map; a serializing one needs it written back. */
  private void save(Object key, NavigableMap<Long, Win> kw) {
    if (!liveStore) {
      store.put(key, kw);
    }
  }

  private void addTo(Object key, long start, long end, long wm, Object value) {
    NavigableMap<Long, Win> kw = windowsOf(key);
    Win w = kw.get(start);
    if (w == null) {
      w = new Win(start, end, spec.aggregate().createAccumulator());
      w.fired = end <= wm;
      kw.put(start, w);
      registerEnd(key, w);
    }
    w.acc = spec.aggregate().add(w.acc, value);
    track(w);
    save(key, kw);
    afterUpdate(key, w);
  }

  private void track(Win w) {
    int c = rt.channel();
    if (c < 0 || rt.position() < 0) {
      return;
    }
    if (w.minPos == null) {
      w.minPos = new long[rt.channels()];
      java.util.Arrays.fill(w.minPos, Long.MAX_VALUE);
    }
    if (rt.position() < w.minPos[c]) {
      w.minPos[c] = rt.position();
    }
  }

  private static void mergePositions(Win into, Win from) {
    if (from.minPos == null) {
      return;
    }
    if (into.minPos == null) {
      into.minPos = from.minPos.clone();
      return;
    }
    for (int i = 0; i < into.minPos.length; i++) {
      into.minPos[i] = Math.min(into.minPos[i], from.minPos[i]);
    }
  }

  @Override
  public void lowestHeldPositions(long[] minPositions) {
    store.forEach((key, kw) -> {
      for (Win w : kw.values()) {
        if (w.minPos != null) {
          for (int i = 0; i < minPositions.length && i < w.minPos.length; i++) {
            minPositions[i] = Math.min(minPositions[i], w.minPos[i]);
          }
        }
      }
    });
  }

  private void afterUpdate(Object key, Win w) {
    if (w.fired) {
      emit(key, w, WindowResult.Firing.LATE_UPDATE);
    } else if (perUpdate) {
      emit(key, w, WindowResult.Firing.EARLY);
    } else if (earlyInterval > 0) {
      w.dirty = true;
      if (!w.earlyTimer) {
        w.earlyTimer = true;
        timers.register(TimeDomain.PROCESSING_TIME, rt.clock().millis() + earlyInterval, key, new Ns(w.start, EARLY));
      }
    }
  }

  /**
   * Timers of a window, one at a time (each phase's timer sets the next one when it fires): FIRE at
   * its end unless it was born fired; then CLEANUP at {@code end + lateness} (purges a fixed
   * window, closes a session) when there is a lateness; then for sessions PURGE at
   * {@code end + lateness + gap}. A merge so changes one timer, not three; an unfired session that
   * grows at its end changes none until its old end falls due (see {@link #onTimer}).
   */
  private void registerEnd(Object key, Win w) {
    w.seq = nextSeq++;
    if (endBuckets != null) {
      endBuckets.computeIfAbsent(w.start, e -> new ArrayList<>()).add(key);
      return;
    }
    armNext(key, w);
  }

  /** Registers the timer of the window's next phase (see {@link #registerEnd}), if any. */
  private void armNext(Object key, Win w) {
    TimeDomain d = domain();
    if (!w.fired) {
      w.fireAt = w.end;
      timers.register(d, w.end, key, new Ns(w.start, FIRE));
    } else if (lateness > 0 && !w.closed) {
      timers.register(d, FixedWindows.saturatedAdd(w.end, lateness), key, new Ns(w.start, CLEANUP));
    } else if (kind == WindowAssigner.Kind.SESSION && w.closed) {
      timers.register(d, purgeTime(w), key, new Ns(w.start, PURGE));
    }
  }

  /**
   * @return whether a timer is the pending one of its window's phase; any other (a checkpoint of an
   *     earlier version registered every phase's timer at once) is stale and ignored
   */
  private boolean current(TimerQueue.Timer t, Win w) {
    byte phase = ((Ns) t.namespace()).kind();
    if (phase == FIRE) {
      return !w.fired && t.time() == w.end;
    } else if (phase == CLEANUP) {
      return w.fired && !w.closed && t.time() == FixedWindows.saturatedAdd(w.end, lateness);
    } else if (phase == PURGE) {
      return w.closed && t.time() >= purgeTime(w); // a postponed purge comes later
    }
    return true;
  }

  private TimeDomain domain() {
    return spec.processingTime() ? TimeDomain.PROCESSING_TIME : TimeDomain.EVENT_TIME;
  }

  /**
   * After a restore: the end buckets of fixed windows are an index of the restored state, rebuilt
   * in window creation order (the order an uninterrupted run fires windows that end together).
   */
  @Override
  public void restored() {
    long[] maxSeq = {-1};
    if (endBuckets != null) {
      endBuckets.clear();
      java.util.List<Object[]> all = new ArrayList<>();
      store.forEach((key, kw) -> {
        for (Win w : kw.values()) {
          all.add(new Object[] {w.seq, w.start, key});
        }
      });
      all.sort((a, b) -> Long.compare((Long) a[0], (Long) b[0]));
      for (Object[] e : all) {
        endBuckets.computeIfAbsent((Long) e[1], x -> new ArrayList<>()).add(e[2]);
        maxSeq[0] = Math.max(maxSeq[0], (Long) e[0]);
      }
    } else {
      java.util.List<Object[]> armed = new ArrayList<>();
      store.forEach((key, kw) -> {
        for (Win w : kw.values()) {
          maxSeq[0] = Math.max(maxSeq[0], w.seq);
          if (derivedTimers) {
            armed.add(new Object[] {w, key});
          }
        }
      });
      // each window's pending timer, in the order an uninterrupted run armed them (same-time timers fire so)
      armed.sort((a, b) -> Long.compare(((Win) a[0]).seq, ((Win) b[0]).seq));
      for (Object[] e : armed) {
        Win w = (Win) e[0];
        if (!w.fired && w.fireAt != Long.MIN_VALUE && w.fireAt < w.end) {
          // a session that grew at its end kept its timer at an old end: moved when that falls due
          timers.register(domain(), w.fireAt, e[1], new Ns(w.start, FIRE));
        } else {
          armNext(e[1], w);
        }
      }
    }
    nextSeq = maxSeq[0] + 1;
  }

  private long purgeTime(Win w) {
    return FixedWindows.saturatedAdd(FixedWindows.saturatedAdd(w.end, lateness), size);
  }

  /**
   * Deletes the window's pending timer (a purged window's timer has fired already). An unfired session
   * grown in place may hold its end timer at an earlier end: then the delete misses, and that timer,
   * when due, finds no window at its start, or one it re-arms at its end (a merged session with the
   * same start, whose own timer is already there: timers are deduplicated).
   */
  private void unregisterEnd(Object key, Win w) {
    if (endBuckets != null) {
      return; // fixed windows without lateness are only purged when they fire
    }
    TimeDomain d = domain();
    if (!w.fired) {
      timers.delete(d, w.end, key, new Ns(w.start, FIRE));
    } else if (lateness > 0 && !w.closed) {
      timers.delete(d, FixedWindows.saturatedAdd(w.end, lateness), key, new Ns(w.start, CLEANUP));
    }
  }

  private void session(Object key, long ts, long wm, Object value) {
    NavigableMap<Long, Win> kw = windowsOf(key);
    long start = ts;
    long end = Sessions.end(ts, size);
    scratch.clear();
    Sessions.overlapping(kw, w -> w.end, start, end, scratch);
    boolean touchesClosed = false;
    for (Win w : scratch) {
      start = Math.min(start, w.start);
      end = Math.max(end, w.end);
      touchesClosed |= w.closed;
    }
    if (touchesClosed || FixedWindows.saturatedAdd(end, lateness) <= wm) {
      if (kw.isEmpty()) {
        store.delete(key);
      }
      late(value);
      return;
    }
    Win merged;
    if (scratch.size() == 1 && scratch.get(0).start == start && scratch.get(0).end == end) {
      merged = scratch.get(0);
    } else if (scratch.size() == 1 && scratch.get(0).start == start) {
      // the event extends one session at its end (the usual case): that window grows in place, keeping
      // its accumulator (as merging it into an empty one would give) and its early timer, which is
      // keyed by the unchanged start; an unfired one keeps its pending end timer, which is then early
      // and moves to the new end only when it falls due (onTimer): one timer change per gap of event
      // time instead of one per event
      merged = scratch.get(0);
      if (merged.fired) {
        unregisterEnd(key, merged);
        merged.end = end;
        merged.fired = end <= wm;
        registerEnd(key, merged);
      } else {
        merged.end = end; // end > old end > wm: still unfired
      }
    } else {
      merged = new Win(start, end, spec.aggregate().createAccumulator());
      for (Win w : scratch) {
        merged.acc = spec.aggregate().merge(merged.acc, w.acc);
        mergePositions(merged, w);
        kw.remove(w.start);
        unregisterEnd(key, w);
      }
      // final only once the watermark passed the merged end, whatever its parts emitted before
      merged.fired = end <= wm;
      kw.put(start, merged);
      registerEnd(key, merged);
    }
    merged.acc = spec.aggregate().add(merged.acc, value);
    track(merged);
    save(key, kw);
    afterUpdate(key, merged);
  }

  private void global(Object key, Object value) {
    NavigableMap<Long, Win> kw = windowsOf(key);
    Win w = kw.get(Long.MIN_VALUE);
    if (w == null) {
      w = new Win(Long.MIN_VALUE, Long.MAX_VALUE, spec.aggregate().createAccumulator());
      w.seq = nextSeq++;
      kw.put(Long.MIN_VALUE, w);
      timers.register(TimeDomain.EVENT_TIME, Long.MAX_VALUE, key, new Ns(Long.MIN_VALUE, FIRE));
      if (intervalTrigger > 0) {
        timers.register(TimeDomain.PROCESSING_TIME, rt.clock().millis() + intervalTrigger, key,
            new Ns(Long.MIN_VALUE, FIRE));
      }
    }
    w.acc = spec.aggregate().add(w.acc, value);
    track(w);
    w.count++;
    save(key, kw);
    if (countTrigger > 0 && w.count >= countTrigger) {
      fireAndPurge(key, kw, w);
    } else {
      afterUpdate(key, w);
    }
  }

  private void fireAndPurge(Object key, NavigableMap<Long, Win> kw, Win w) {
    emit(key, w, WindowResult.Firing.ON_TIME);
    purge(key, kw, w);
  }

  private void purge(Object key, NavigableMap<Long, Win> kw, Win w) {
    kw.remove(w.start);
    if (kind == WindowAssigner.Kind.GLOBAL) {
      timers.delete(TimeDomain.EVENT_TIME, Long.MAX_VALUE, key, new Ns(Long.MIN_VALUE, FIRE));
    } else {
      unregisterEnd(key, w);
    }
    if (kw.isEmpty()) {
      store.delete(key);
    } else {
      store.put(key, kw);
    }
  }

  private void late(Object value) {
    lateCounter.increment();
    if (lateOut instanceof io.nip.runtime.internal.ChainEnds.Discard) {
      lateLog.warn("window '{}' dropped an event behind the watermark (nothing consumes lateEvents()); "
          + "counted in nip.window.late.events", name);
    } else {
      lateOut.process(value);
    }
  }

  @Override
  public void watermark(long watermark, int port) {
    if (endBuckets != null) {
      fireBuckets(watermark);
    }
    fireTimers(TimeDomain.EVENT_TIME, watermark);
    out.watermark(watermark, outPort);
    lateOut.watermark(watermark, latePort);
  }

  @Override
  public boolean tick(long nowMillis) {
    return fireTimers(TimeDomain.PROCESSING_TIME, nowMillis);
  }

  /** Fires, in end order, every fixed window whose end the watermark reached. */
  private void fireBuckets(long watermark) {
    Map.Entry<Long, List<Object>> due;
    while (!endBuckets.isEmpty() && fixed.end(endBuckets.firstKey()) <= watermark) {
      due = endBuckets.pollFirstEntry();
      long start = due.getKey();
      for (Object key : due.getValue()) {
        NavigableMap<Long, Win> kw = store.get(key);
        Win w = kw == null ? null : kw.get(start);
        if (w != null) {
          fireAndPurge(key, kw, w);
        }
      }
    }
  }

  private boolean fireTimers(TimeDomain domain, long upTo) {
    boolean fired = false;
    endOfTime = upTo == Long.MAX_VALUE;
    TimerQueue.Timer t;
    while ((t = timers.pollDue(domain, upTo)) != null) {
      fired = true;
      onTimer(t);
    }
    return fired;
  }

  private void onTimer(TimerQueue.Timer t) {
    Object key = t.key();
    Ns ns = (Ns) t.namespace();
    NavigableMap<Long, Win> kw = store.get(key);
    Win w = kw == null ? null : kw.get(ns.start());
    if (w != null && ns.kind() == FIRE && kind == WindowAssigner.Kind.SESSION && !w.fired && t.time() < w.end) {
      if (w.fireAt != Long.MIN_VALUE && t.time() != w.fireAt) {
        return; // a timer a merge left behind: the window's pending one is at fireAt
      }
      w.seq = nextSeq++;
      w.fireAt = w.end;
      timers.register(domain(), w.end, key, ns); // the session grew after this timer was set: due later
      store.put(key, kw); // the arming order is part of the window (derived timers are armed again in it)
      return;
    }
    if (w == null || kind != WindowAssigner.Kind.GLOBAL && !current(t, w)) {
      return;
    }
    if (ns.kind() == EARLY) {
      w.earlyTimer = false;
      if (w.dirty && !w.fired) {
        w.dirty = false;
        emit(key, w, WindowResult.Firing.EARLY);
        w.earlyTimer = true;
        timers.register(TimeDomain.PROCESSING_TIME, t.time() + earlyInterval, key, ns);
      }
      save(key, kw); // the flags are part of the window's state: a restore must see them as they are now
    } else if (ns.kind() == PURGE && kind == WindowAssigner.Kind.SESSION) {
      purgeMarker(key, kw, w, t.time());
    } else if (ns.kind() == PURGE || (ns.kind() == CLEANUP && kind != WindowAssigner.Kind.SESSION)) {
      purge(key, kw, w);
    } else if (ns.kind() == CLEANUP) {
      w.seq = nextSeq++;
      close(key, kw, w);
      armNext(key, w); // PURGE
    } else if (kind == WindowAssigner.Kind.GLOBAL || (lateness == 0 && kind != WindowAssigner.Kind.SESSION)) {
      fireAndPurge(key, kw, w);
    } else {
      emit(key, w, WindowResult.Firing.ON_TIME);
      w.fired = true;
      if (endOfTime) {
        purge(key, kw, w); // nothing arrives after the end of time: no late updates, no marker
        return;
      }
      w.seq = nextSeq++;
      if (lateness == 0) {
        close(key, kw, w);
      } else {
        store.put(key, kw);
      }
      armNext(key, w); // CLEANUP, or a closed session's PURGE
    }
  }

  /**
   * Purges a closed session's marker, unless the key's next session starts less than a span after
   * its end and is still open: an event between them could bridge into that session and be
   * accepted because of its later end, so the marker stays (and rejects such an event) until that
   * neighbour closes (then an event bridging into it is late anyway). The postponed timer is due
   * after the neighbour's close timer, so this terminates; at the end of time nothing can arrive.
   */
  private void purgeMarker(Object key, NavigableMap<Long, Win> kw, Win w, long now) {
    Map.Entry<Long, Win> next = kw.higherEntry(w.start);
    if (!endOfTime && now != Long.MAX_VALUE && next != null && !next.getValue().closed
        && next.getKey() < FixedWindows.saturatedAdd(w.end, size)) {
      long closeAt = FixedWindows.saturatedAdd(next.getValue().end, lateness);
      w.seq = nextSeq++;
      timers.register(domain(), Math.max(closeAt, now + 1), key, new Ns(w.start, PURGE));
      store.put(key, kw);
      return;
    }
    purge(key, kw, w);
  }

  /** A session past {@code end + lateness}: drop the accumulator, keep the bounds until PURGE. */
  private void close(Object key, NavigableMap<Long, Win> kw, Win w) {
    w.closed = true;
    w.fired = true;
    w.acc = null;
    w.minPos = null; // its records are emitted: the marker holds no source position back
    store.put(key, kw);
  }

  @Override
  public void finish(int port) {
    // a stopped pipeline keeps its open processing-time windows in the final snapshot
    if ((spec.processingTime() || intervalTrigger > 0) && rt.inputExhausted()) {
      fireTimers(TimeDomain.PROCESSING_TIME, Long.MAX_VALUE);
    }
    out.finish(outPort);
    lateOut.finish(latePort);
  }

  @Override
  public void barrier(long checkpointId, int port) {
    out.barrier(checkpointId, outPort);
    lateOut.barrier(checkpointId, latePort);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void emit(Object key, Win w, WindowResult.Firing firing) {
    Object result = spec.aggregate().result(w.acc);
    boolean global = kind == WindowAssigner.Kind.GLOBAL;
    Instant start = global ? Instant.MIN : Instant.ofEpochMilli(w.start);
    Instant end = global ? Instant.MAX : Instant.ofEpochMilli(w.end);
    if (spec.aggregator() != null) {
      result = spec.aggregator().combine(key, start, end, (Map<String, Object>) result);
    }
    // a window result aggregates many records: it carries no record's headers
    rt.emitAs(out, key, w.end == Long.MAX_VALUE ? rt.watermark() : w.end - 1, Headers.EMPTY,
        new WindowResult(key, start, end, result, firing));
  }

  @Override
  public void close() {
    store.close();
  }
}
