package io.nip.join.internal;

import io.micrometer.core.instrument.Counter;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.time.TimeDomain;
import io.nip.state.ValueState;
import java.time.Instant;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the two join operators share: one {@link JoinState} per key in a {@link ValueState} (read
 * once per record and per timer, written when it changed: a left record joined or dropped on
 * arrival leaves it as it was), one event-time timer per key at the earliest time
 * something of the key falls due, the late-record counters and the emission of results.
 *
 * <p>Timers: {@link JoinState#timer} is the earliest timer the key has registered; a record whose
 * due time is earlier registers another. A timer that fires after an earlier one took over (or
 * after the key's state was cleared) finds nothing due and does no harm.
 *
 * <p>Watermark convention: after a watermark {@code W}, records at {@code W} may still arrive; a
 * record earlier than {@code W} is late.
 *
 * <p>Threading: one instance serves every task of its operator; the only fields set after
 * construction are the counters, the same objects for every task.
 *
 * @param <K> key type
 * @param <L> left type
 * @param <R> right (or table value) type
 * @param <O> result type
 */
abstract class JoinProcessor<K, L, R, O> implements KeyedProcessor<K, Tagged, O> {
  /** The name of the state each key's {@link JoinState} lives in. */
  static final String STATE = "join";
  /** Counter of records too late to be joined exactly, tagged by side. */
  static final String LATE_METRIC = "nip.join.late.events";
  private static final Logger LOG = LoggerFactory.getLogger(JoinProcessor.class);
  /** Late records logged: the first one, then one in this many. */
  private static final long LOG_EVERY = 10_000;

  private final JoinState.StateSerde<L, R> serde;
  private final BiFunction<? super L, ? super R, ? extends O> joiner;
  final boolean leftOuter;
  private volatile Counter lateLeft;
  private volatile Counter lateRight;

  JoinProcessor(JoinState.StateSerde<L, R> serde, BiFunction<? super L, ? super R, ? extends O> joiner,
      boolean leftOuter) {
    this.serde = serde;
    this.joiner = joiner;
    this.leftOuter = leftOuter;
  }

  @Override
  public void init(KeyedContext<K, O> ctx) {
    state(ctx); // created up front, so a restored task gets its join state back before the first record
    lateLeft = Counter.builder(LATE_METRIC).description("records too late to be joined exactly (dropped)")
        .tags(ctx.metricTags()).tag("side", "left").register(ctx.meterRegistry());
    lateRight = Counter.builder(LATE_METRIC).description("records too late to be joined exactly (dropped)")
        .tags(ctx.metricTags()).tag("side", "right").register(ctx.meterRegistry());
  }

  private ValueState<JoinState<L, R>> state(KeyedContext<K, O> ctx) {
    return ctx.valueState(STATE, serde);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(K key, Tagged record, KeyedContext<K, O> ctx) {
    ValueState<JoinState<L, R>> st = state(ctx);
    JoinState<L, R> s = st.value();
    if (s == null) {
      s = new JoinState<>();
    }
    long time = ctx.timestamp().toEpochMilli();
    long watermark = watermark(ctx);
    if (record.left()) {
      if (!onLeft(s, time, (L) record.value(), watermark, ctx)) {
        return; // joined (or dropped) at once: the key's state is as it was
      }
    } else {
      onRight(s, time, (R) record.value(), watermark, ctx);
    }
    schedule(s, ctx);
    store(st, s);
  }

  @Override
  public void onTimer(K key, Instant time, TimeDomain domain, KeyedContext<K, O> ctx) {
    ValueState<JoinState<L, R>> st = state(ctx);
    JoinState<L, R> s = st.value();
    if (s == null) {
      return;
    }
    if (time.toEpochMilli() == s.timer) {
      s.timer = JoinState.NO_TIMER;
    }
    expire(s, watermark(ctx), ctx);
    schedule(s, ctx);
    store(st, s);
  }

  /**
   * A left record at {@code time}; {@code watermark} is Long.MIN_VALUE before the first one.
   *
   * @return false when the key's state was left as it was (the record was joined or dropped at once)
   */
  abstract boolean onLeft(JoinState<L, R> s, long time, L value, long watermark, KeyedContext<K, O> ctx);

  /** A right record (or table update; null value: tombstone) at {@code time}. */
  abstract void onRight(JoinState<L, R> s, long time, R value, long watermark, KeyedContext<K, O> ctx);

  /** The watermark passed {@code watermark}: emit and drop what fell due. */
  abstract void expire(JoinState<L, R> s, long watermark, KeyedContext<K, O> ctx);

  /** @return the event time at which something of the key falls due, or {@link JoinState#NO_TIMER} */
  abstract long nextDue(JoinState<L, R> s);

  private void schedule(JoinState<L, R> s, KeyedContext<K, O> ctx) {
    long due = nextDue(s);
    if (due < s.timer) {
      ctx.registerEventTimeTimer(Instant.ofEpochMilli(due));
      s.timer = due;
    }
  }

  private static <L, R> void store(ValueState<JoinState<L, R>> st, JoinState<L, R> s) {
    if (s.isEmpty()) {
      st.clear();
    } else {
      st.update(s);
    }
  }

  /** Emits the joiner's result for a pair ({@code right} null: none), at {@code time}. */
  final void emit(L left, R right, long time, KeyedContext<K, O> ctx) {
    O out = joiner.apply(left, right);
    if (out != null) {
      ctx.emit(out, Instant.ofEpochMilli(time));
    }
  }

  /** Counts (and now and then logs) a record dropped as too late. */
  final void late(boolean left, long time, long watermark, KeyedContext<K, O> ctx) {
    Counter c = left ? lateLeft : lateRight;
    c.increment();
    long n = (long) c.count();
    if (n == 1 || n % LOG_EVERY == 0) {
      LOG.warn("join '{}': a {} record at {} is too late to be joined exactly (watermark {}); dropped and counted"
          + " in {} ({} so far on this side)", ctx.metricTags().stream()
          .filter(t -> t.getKey().equals("operator")).findFirst().map(t -> t.getValue()).orElse("?"),
          left ? "left" : "right", Instant.ofEpochMilli(time), Instant.ofEpochMilli(watermark), LATE_METRIC, n);
    }
  }

  private static long watermark(KeyedContext<?, ?> ctx) {
    Instant w = ctx.currentWatermark();
    return w.equals(Instant.MIN) ? Long.MIN_VALUE : w.toEpochMilli();
  }

  /** @return {@code a + b}, held at the long range's ends */
  static long plus(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }
}
