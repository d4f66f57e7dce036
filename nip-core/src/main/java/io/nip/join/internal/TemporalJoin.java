package io.nip.join.internal;

import io.nip.pipeline.KeyedContext;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The stream–table join ({@code latest} strategy): a left record at {@code t} joins the table's
 * value for its key as of {@code t} — the version with the latest time at or before {@code t} —
 * once the watermark has passed {@code t}, so that a table update that happened before the event
 * but arrives after it is still seen (event-time correct under bounded disorder of either side).
 * When the table side's own input watermark ({@code KeyedContext.inputWatermark}) has passed
 * {@code t} — a bounded table read to its end, or a table whose updates run ahead of the events —
 * no such update can come any more, and the record is joined on arrival: emitted at once (and not
 * kept) when its key has no record waiting, else after the key's waiting records up to that bound,
 * in time order. So results follow the records' time order among those released together and their
 * arrival order otherwise (a left record that arrives after a later one of its key, both joined on
 * arrival, comes out after it).
 *
 * <p>State per key: the table's versions in time order (an update at the time of an existing
 * version replaces it: the later arrival wins) and the left records waiting for the watermark.
 * Versions older than {@code watermark - retention} are dropped except the newest of them (the one
 * valid at that bound); a key whose only remaining version is such a tombstone is removed. A left
 * record behind the watermark on arrival is joined at once if it is within the retention, else it
 * is late: counted and dropped. Inner: a left record without a version (or whose version is a
 * tombstone) emits nothing; left-outer: it emits with a {@code null} right side.
 *
 * <p>Threading: see {@link JoinProcessor}.
 */
public final class TemporalJoin<K, L, V, O> extends JoinProcessor<K, L, V, O> {
  private final long retention;
  private final String tableOperator;

  /**
   * @param serde the key state's serde
   * @param joiner the result of a left record and the value as of its time (null under left-outer
   *     when there is none)
   * @param leftOuter true to emit left records without a value
   * @param retentionMillis how long behind the watermark older versions stay readable
   * @param tableOperator the operator every table update passes on its way here, whose input
   *     watermark says up to which time the table is complete
   */
  public TemporalJoin(JoinState.StateSerde<L, V> serde, BiFunction<? super L, ? super V, ? extends O> joiner,
      boolean leftOuter, long retentionMillis, String tableOperator) {
    super(serde, joiner, leftOuter);
    this.retention = retentionMillis;
    this.tableOperator = tableOperator;
  }

  @Override
  boolean onLeft(JoinState<L, V> s, long time, L value, long watermark, KeyedContext<K, O> ctx) {
    if (time < watermark) {
      if (time >= plus(watermark, -retention)) {
        resolve(s, time, value, ctx);
      } else {
        late(true, time, watermark, ctx);
      }
      return false;
    }
    Instant tw = ctx.inputWatermark(tableOperator);
    long table = tw.equals(Instant.MIN) ? Long.MIN_VALUE : tw.toEpochMilli();
    if (time < table && s.lefts.isEmpty()) {
      resolve(s, time, value, ctx); // the table is complete up to this time
      return false;
    }
    JoinState.insert(s.lefts, new JoinState.Item<>(time, false, value));
    if (time < table) {
      resolveBefore(s, table, ctx); // the key's waiting records up to it too, in time order
    }
    return true;
  }

  @Override
  void onRight(JoinState<L, V> s, long time, V value, long watermark, KeyedContext<K, O> ctx) {
    List<JoinState.Item<V>> versions = s.rights;
    int i = versions.size();
    while (i > 0 && versions.get(i - 1).time > time) {
      i--;
    }
    JoinState.Item<V> version = new JoinState.Item<>(time, false, value);
    if (i > 0 && versions.get(i - 1).time == time) {
      versions.set(i - 1, version);
    } else {
      versions.add(i, version);
    }
    prune(s, watermark);
  }

  @Override
  void expire(JoinState<L, V> s, long watermark, KeyedContext<K, O> ctx) {
    resolveBefore(s, watermark, ctx);
    prune(s, watermark);
  }

  /** Joins and removes the waiting left records earlier than {@code bound}, in time order. */
  private void resolveBefore(JoinState<L, V> s, long bound, KeyedContext<K, O> ctx) {
    int n = 0;
    while (n < s.lefts.size() && s.lefts.get(n).time < bound) {
      JoinState.Item<L> l = s.lefts.get(n++);
      resolve(s, l.time, l.value, ctx);
    }
    s.lefts.subList(0, n).clear();
  }

  private void resolve(JoinState<L, V> s, long time, L left, KeyedContext<K, O> ctx) {
    V value = null;
    for (JoinState.Item<V> v : s.rights) {
      if (v.time > time) {
        break;
      }
      value = v.value;
    }
    if (value != null || leftOuter) {
      emit(left, value, time, ctx);
    }
  }

  /** Drops versions no record within the retention can read. */
  private void prune(JoinState<L, V> s, long watermark) {
    if (watermark == Long.MIN_VALUE) {
      return;
    }
    long bound = plus(watermark, -retention);
    List<JoinState.Item<V>> versions = s.rights;
    int base = -1; // the newest version before the bound: still valid at the bound
    while (base + 1 < versions.size() && versions.get(base + 1).time < bound) {
      base++;
    }
    if (base > 0) {
      versions.subList(0, base).clear();
    }
    if (base >= 0 && versions.get(0).value == null) {
      versions.remove(0); // a tombstone at the base: the key holds no value at the bound
    }
  }

  @Override
  long nextDue(JoinState<L, V> s) {
    long due = JoinState.NO_TIMER;
    if (!s.lefts.isEmpty()) {
      due = plus(s.lefts.get(0).time, 1);
    }
    List<JoinState.Item<V>> versions = s.rights;
    if (!versions.isEmpty() && versions.get(versions.size() - 1).value == null) {
      // the key is deleted: its versions go once the tombstone is behind the retention
      due = Math.min(due, plus(plus(versions.get(versions.size() - 1).time, retention), 1));
    }
    return due;
  }
}
