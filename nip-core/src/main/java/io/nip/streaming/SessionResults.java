package io.nip.streaming;

import io.micrometer.core.instrument.Counter;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.serde.Serde;
import io.nip.state.ValueState;
import io.nip.streaming.SessionAccumulator.Snapshot;
import io.nip.streaming.SessionAccumulator.Stamped;
import io.nip.time.TimeDomain;
import io.nip.window.WindowResult;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the session window's results into the user's results of {@link StatefulProcessor#sessionize}:
 * the session id, whether the result is an update, which earlier sessions it supersedes.
 *
 * <p>Design: the window emits {@code ON_TIME} when a session ends and {@code LATE_UPDATE} for a
 * late event; but a late event that extends a fired session past the watermark makes the window
 * fire it {@code ON_TIME} a second time. So "update" cannot be read off the firing alone: per key
 * this processor remembers the sessions it emitted ({@value #EMITTED}: start, end, dropped count),
 * in keyed state of the pipeline's backend, until the watermark passes {@code end + lateness}, after
 * which the window accepts nothing more for them (an event-time timer then forgets them). A result
 * is an update when it covers an emitted session; the emitted sessions it covers other than its own
 * start are superseded. The dropped-events metric counts each dropped event once.
 *
 * <p>Threading: one instance serves every keyed task; state and the counter come from the context.
 *
 * @param <K> key type
 * @param <T> event type
 * @param <R> result type
 */
final class SessionResults<K, T, R> implements KeyedProcessor<K, WindowResult<K, Snapshot<T>>, R> {
  static final String EMITTED = "emitted-sessions";
  private static final Serde<long[]> LONGS = new Serde<>() {
    @Override
    public byte[] serialize(long[] v) {
      if (v == null) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(v.length * Long.BYTES);
      b.asLongBuffer().put(v);
      return b.array();
    }

    @Override
    public long[] deserialize(byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      long[] v = new long[bytes.length / Long.BYTES];
      ByteBuffer.wrap(bytes).asLongBuffer().get(v);
      return v;
    }
  };

  private final StatefulProcessor.SessionFunction<K, T, R> fn;
  private final Serde<K> keySerde;
  private final long lateness;

  SessionResults(StatefulProcessor.SessionFunction<K, T, R> fn, Serde<K> keySerde, long latenessMillis) {
    this.fn = fn;
    this.keySerde = keySerde;
    this.lateness = latenessMillis;
  }

  @Override
  public void init(KeyedContext<K, R> context) {
    dropped(context);
  }

  private static Counter dropped(KeyedContext<?, ?> context) {
    return Counter.builder("nip.session.dropped.events")
        .description("events a session did not keep because it reached maxEventsPerSession")
        .tags(context.metricTags()).register(context.meterRegistry());
  }

  @Override
  public void process(K key, WindowResult<K, Snapshot<T>> r, KeyedContext<K, R> context) {
    long start = r.start().toEpochMilli();
    long end = r.end().toEpochMilli();
    ValueState<long[]> state = context.valueState(EMITTED, LONGS);
    long[] emitted = state.valueOr(new long[0]);
    List<String> superseded = new ArrayList<>();
    boolean covers = false;
    long droppedBefore = 0;
    long[] kept = new long[emitted.length + 3];
    int n = 0;
    for (int i = 0; i < emitted.length; i += 3) {
      if (emitted[i] >= start && emitted[i] < end) {
        covers = true;
        droppedBefore += emitted[i + 2];
        if (emitted[i] != start) {
          superseded.add(SessionIds.of(keySerde, key, Instant.ofEpochMilli(emitted[i])));
        }
      } else {
        System.arraycopy(emitted, i, kept, n, 3);
        n += 3;
      }
    }
    Snapshot<T> s = r.value();
    kept[n++] = start;
    kept[n++] = end;
    kept[n++] = s.dropped();
    state.update(java.util.Arrays.copyOf(kept, n));
    context.registerEventTimeTimer(Instant.ofEpochMilli(saturatedAdd(end, lateness)));
    if (s.dropped() > droppedBefore) {
      dropped(context).increment(s.dropped() - droppedBefore);
    }
    boolean update = covers || r.firing() == WindowResult.Firing.LATE_UPDATE;
    R result = fn.apply(key, events(s, update, superseded), SessionIds.of(keySerde, key, r.start()));
    if (result != null) {
      context.emit(result, context.timestamp());
    }
  }

  private SessionEvents<T> events(Snapshot<T> s, boolean update, List<String> superseded) {
    List<T> list = new ArrayList<>(s.events().size());
    for (Stamped<T> e : s.events()) {
      list.add(e.event());
    }
    Instant first = Instant.ofEpochMilli(s.events().get(0).time());
    Instant last = Instant.ofEpochMilli(s.events().get(s.events().size() - 1).time());
    return new SessionEvents<>(list, first, last, s.count(), s.dropped(), update, superseded);
  }

  @Override
  public void onTimer(K key, Instant time, TimeDomain domain, KeyedContext<K, R> context) {
    ValueState<long[]> state = context.valueState(EMITTED, LONGS);
    long[] emitted = state.valueOr(new long[0]);
    long[] kept = new long[emitted.length];
    int n = 0;
    for (int i = 0; i < emitted.length; i += 3) {
      if (saturatedAdd(emitted[i + 1], lateness) > time.toEpochMilli()) {
        System.arraycopy(emitted, i, kept, n, 3);
        n += 3;
      }
    }
    if (n == 0) {
      state.clear();
    } else {
      state.update(java.util.Arrays.copyOf(kept, n));
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
