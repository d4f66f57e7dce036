package io.nip.join.internal;

import io.nip.pipeline.KeyedContext;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The stream–stream join ({@code window} and {@code all} strategies): a left record at {@code t}
 * joins each right record of its key at a time in {@code [t - before, t + after]}; each pair is
 * emitted once, as soon as its second record arrives, at the later of the two times.
 *
 * <p>Invariants: a left record is kept while the watermark is at or before {@code t + after} (a
 * right record that is not late, at {@code W} or later, can still join it), a right record while
 * the watermark is at or before {@code t + before}; records behind the watermark on arrival are
 * late: counted and dropped, since the records they would have joined may be gone. Under left-outer,
 * a left record that joined nothing is emitted with a {@code null} right side when it is dropped.
 * Pairs are therefore exactly those of the brute-force definition for input whose disorder the
 * watermark covers, whatever the interleaving of the two sides.
 *
 * <p>Threading: see {@link JoinProcessor}.
 */
public final class IntervalJoin<K, L, R, O> extends JoinProcessor<K, L, R, O> {
  private final long before;
  private final long after;

  /**
   * @param serde the key state's serde
   * @param joiner the result of a pair (right null: a left-outer record without a match)
   * @param leftOuter true to emit unmatched left records
   * @param beforeMillis how far a right record may precede a left one
   * @param afterMillis how far a right record may follow a left one
   */
  public IntervalJoin(JoinState.StateSerde<L, R> serde, BiFunction<? super L, ? super R, ? extends O> joiner,
      boolean leftOuter, long beforeMillis, long afterMillis) {
    super(serde, joiner, leftOuter);
    this.before = beforeMillis;
    this.after = afterMillis;
  }

  @Override
  boolean onLeft(JoinState<L, R> s, long time, L value, long watermark, KeyedContext<K, O> ctx) {
    if (time < watermark) {
      late(true, time, watermark, ctx);
      return false;
    }
    JoinState.Item<L> item = new JoinState.Item<>(time, false, value);
    long from = plus(time, -before);
    long to = plus(time, after);
    for (JoinState.Item<R> r : s.rights) {
      if (r.time > to) {
        break;
      }
      if (r.time >= from) {
        item.matched = true;
        emit(value, r.value, Math.max(time, r.time), ctx);
      }
    }
    JoinState.insert(s.lefts, item);
    return true;
  }

  @Override
  void onRight(JoinState<L, R> s, long time, R value, long watermark, KeyedContext<K, O> ctx) {
    if (time < watermark) {
      late(false, time, watermark, ctx);
      return;
    }
    long from = plus(time, -after);
    long to = plus(time, before);
    for (JoinState.Item<L> l : s.lefts) {
      if (l.time > to) {
        break;
      }
      if (l.time >= from) {
        l.matched = true;
        emit(l.value, value, Math.max(time, l.time), ctx);
      }
    }
    JoinState.insert(s.rights, new JoinState.Item<>(time, false, value));
  }

  @Override
  void expire(JoinState<L, R> s, long watermark, KeyedContext<K, O> ctx) {
    for (Iterator<JoinState.Item<L>> it = s.lefts.iterator(); it.hasNext(); ) {
      JoinState.Item<L> l = it.next();
      if (plus(l.time, after) >= watermark) {
        break;
      }
      it.remove();
      if (leftOuter && !l.matched) {
        emit(l.value, null, l.time, ctx);
      }
    }
    dropBefore(s.rights, before, watermark);
  }

  private static <V> void dropBefore(List<JoinState.Item<V>> items, long keep, long watermark) {
    int n = 0;
    while (n < items.size() && plus(items.get(n).time, keep) < watermark) {
      n++;
    }
    items.subList(0, n).clear();
  }

  @Override
  long nextDue(JoinState<L, R> s) {
    long due = JoinState.NO_TIMER;
    if (!s.lefts.isEmpty()) {
      due = plus(plus(s.lefts.get(0).time, after), 1);
    }
    if (!s.rights.isEmpty()) {
      due = Math.min(due, plus(plus(s.rights.get(0).time, before), 1));
    }
    return due;
  }
}
