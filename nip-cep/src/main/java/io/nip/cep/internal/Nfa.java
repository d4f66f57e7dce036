package io.nip.cep.internal;

import io.nip.cep.AfterMatchSkip;
import io.nip.cep.MatchedEvents;
import io.nip.errors.NipException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pattern's NFA: advances one key's partial matches over its events, in event-time order, and
 * reports completed matches. Pure logic over {@link Partial} lists; the caller owns the state, the
 * event bodies and the timers ({@link PatternProcessor}).
 *
 * <p>Semantics (the README states them for users): a partial match in step s with c events has up
 * to two take edges — repeat s (when c is below the step's maximum) and enter s+1 (when c reached
 * the step's minimum). An edge is enabled when it is relaxed or the event directly follows the
 * partial match's last event; it takes the event when the step's condition holds and the pattern
 * and step bounds still hold. Every enabled edge that holds forks a new partial match (so an event
 * that both repeats a step and starts the next one takes both branches); a partial match that took
 * nothing survives, no longer adjacent, only if it has a relaxed edge. Every event satisfying the
 * first step also starts a partial match. Matches completed by one event are emitted in
 * {@link Partial#order} and the after-match skip strategy is applied after each one.
 *
 * <p>Immutable and stateless; shared by every task of the operator.
 */
public final class Nfa {
  /** Reads the body of a taken event by its position. */
  public interface Events {
    /**
     * @param position the event's position in the key's evaluation order
     * @return the event
     */
    Object get(long position);
  }

  /** Receives matches. */
  public interface Matches {
    /**
     * @param match the completed partial match
     * @param detectedAtMillis event time of its last event, or the end of its absence period
     */
    void emit(Partial match, long detectedAtMillis);
  }

  /** A user condition threw; the cause is the user's exception. */
  public static final class ConditionFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConditionFailed(String step, RuntimeException cause) {
      super("the condition of step '" + step + "' failed: " + cause, cause);
    }
  }

  private final Stage[] stages;
  private final Map<String, Integer> index = new HashMap<>();
  private final Stage.Absence absence;
  private final long within;
  private final AfterMatchSkip skip;

  /**
   * @param stages the steps, at least one
   * @param absence the trailing absence, or null
   * @param withinMillis the whole-pattern bound, negative for none
   * @param skip the after-match skip strategy
   */
  public Nfa(List<Stage> stages, Stage.Absence absence, long withinMillis, AfterMatchSkip skip) {
    this.stages = stages.toArray(new Stage[0]);
    for (int i = 0; i < this.stages.length; i++) {
      index.put(this.stages[i].name(), i);
    }
    this.absence = absence;
    this.within = withinMillis;
    this.skip = skip;
  }

  /** @return the step names in order */
  public List<String> stageNames() {
    List<String> names = new ArrayList<>();
    for (Stage s : stages) {
      names.add(s.name());
    }
    return names;
  }

  /**
   * Emits the absences proven once every event up to {@code bound} was evaluated (deadline at or
   * before it), in deadline order, applying the skip strategy.
   *
   * @param partials the live partial matches; not modified
   * @param bound event time up to which all events were evaluated, inclusive
   * @param out receives matches
   * @return the partial matches still live
   */
  public List<Partial> completeAbsences(List<Partial> partials, long bound, Matches out) {
    List<Partial> due = null;
    for (Partial p : partials) {
      if (p.absent && p.deadline <= bound) {
        if (due == null) {
          due = new ArrayList<>();
        }
        due.add(p);
      }
    }
    if (due == null) {
      return partials;
    }
    List<Partial> live = new ArrayList<>(partials.size());
    for (Partial p : partials) {
      if (!(p.absent && p.deadline <= bound)) {
        live.add(p);
      }
    }
    due.sort((a, b) -> a.deadline != b.deadline ? Long.compare(a.deadline, b.deadline) : Partial.order(a, b));
    emitInOrder(due, live, out, -1);
    return live;
  }

  /**
   * Evaluates one event (call {@link #completeAbsences} with {@code ts - 1} first). Conditions are
   * all evaluated before any match is emitted, so a condition that throws leaves nothing emitted.
   *
   * @param partials the live partial matches; not modified
   * @param position the event's position in the key's evaluation order
   * @param ts its event time, epoch ms
   * @param event the event
   * @param events reads taken events
   * @param out receives matches
   * @return the partial matches after the event; {@code partials} itself (empty) when no partial
   *     match was open and the event does not satisfy the first step (the event changes nothing)
   */
  public List<Partial> advance(List<Partial> partials, long position, long ts, Object event, Events events,
      Matches out) {
    if (partials.isEmpty() && !holds(stages[0], event, null, events)) {
      return partials; // fast path: nothing open, and the event starts nothing
    }
    List<Partial> next = new ArrayList<>(partials.size() + 2);
    List<Partial> found = new ArrayList<>(0);
    for (Partial p : partials) {
      if (p.absent) {
        if (!forbidden(event)) {
          next.add(p);
        }
        continue;
      }
      boolean took = false;
      Stage st = stages[p.stage];
      int c = p.count();
      boolean inWindow = within < 0 || ts - p.startTs <= within;
      if (c < st.max() && inWindow && (!st.innerStrict() || p.adjacent)
          && (st.stepWithinMillis() < 0 || ts - p.stageStartTs <= st.stepWithinMillis())
          && holds(st, event, p, events)) {
        took = true;
        accept(p.take(p.stage, position, ts), ts, next, found);
      }
      if (c >= st.min() && p.stage + 1 < stages.length && inWindow) {
        Stage nx = stages[p.stage + 1];
        if ((!nx.strictIn() || p.adjacent) && holds(nx, event, p, events)) {
          took = true;
          accept(p.take(p.stage + 1, position, ts), ts, next, found);
        }
      }
      if (!took && hasRelaxedEdge(p)) {
        next.add(p.ignoring());
      }
    }
    if (partials.isEmpty() || holds(stages[0], event, null, events)) { // empty: the fast path's check held
      accept(Partial.start(position, ts), ts, next, found);
    }
    if (!found.isEmpty()) {
      found.sort(Partial::order);
      emitInOrder(found, next, out, ts);
    }
    return next;
  }

  /**
   * Drops partial matches that can take no event after {@code bound}: past the pattern's bound, or
   * in a step that still needs events and is past its step bound.
   *
   * @param partials the live partial matches; not modified
   * @param bound event time up to which all events were evaluated
   * @return the partial matches worth keeping
   */
  public List<Partial> prune(List<Partial> partials, long bound) {
    List<Partial> kept = null;
    for (int i = 0; i < partials.size(); i++) {
      Partial p = partials.get(i);
      boolean dead = !p.absent && (expiresBy(p) <= bound);
      if (dead && kept == null) {
        kept = new ArrayList<>(partials.subList(0, i));
      } else if (!dead && kept != null) {
        kept.add(p);
      }
    }
    return kept == null ? partials : kept;
  }

  /**
   * @param p a partial match
   * @return the event time after which it can no longer take an event (an absence: its deadline),
   *     or {@link Long#MAX_VALUE}; the caller sets an event-time timer just after it
   */
  public long expiresBy(Partial p) {
    if (p.absent) {
      return p.deadline;
    }
    Stage st = stages[p.stage];
    int c = p.count();
    long loopUntil = c >= st.max() ? Long.MIN_VALUE
        : st.stepWithinMillis() < 0 ? Long.MAX_VALUE : saturatedAdd(p.stageStartTs, st.stepWithinMillis());
    long proceedUntil = c >= st.min() && p.stage + 1 < stages.length ? Long.MAX_VALUE : Long.MIN_VALUE;
    long t = Math.max(loopUntil, proceedUntil);
    return within < 0 ? t : Math.min(t, saturatedAdd(p.startTs, within));
  }

  private boolean holds(Stage st, Object event, Partial p, Events events) {
    try {
      return st.condition().test(event, view(p, events));
    } catch (ConditionFailed | NipException e) {
      throw e; // a condition of an inner view, or state that cannot be read: not the condition's fault
    } catch (RuntimeException e) {
      throw new ConditionFailed(st.name(), e);
    }
  }

  private boolean forbidden(Object event) {
    try {
      return absence.condition().test(event);
    } catch (NipException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ConditionFailed("notFollowedBy", e);
    }
  }

  private void accept(Partial p, long ts, List<Partial> next, List<Partial> found) {
    Stage st = stages[p.stage];
    boolean complete = p.stage == stages.length - 1 && p.count() >= st.min();
    if (complete) {
      if (absence != null) {
        next.add(p.absentUntil(saturatedAdd(ts, absence.millis())));
      } else {
        found.add(p);
      }
    }
    if (p.count() < st.max() || (p.count() >= st.min() && p.stage + 1 < stages.length)) {
      next.add(p);
    }
  }

  private boolean hasRelaxedEdge(Partial p) {
    Stage st = stages[p.stage];
    int c = p.count();
    return (c < st.max() && !st.innerStrict())
        || (c >= st.min() && p.stage + 1 < stages.length && !stages[p.stage + 1].strictIn());
  }

  /** {@code ts} is the detection time of every candidate, or -1 for absences (their deadlines). */
  private void emitInOrder(List<Partial> candidates, List<Partial> live, Matches out, long ts) {
    List<Partial> emitted = new ArrayList<>(1);
    for (Partial m : candidates) {
      if (excludedByAny(emitted, m)) {
        continue;
      }
      out.emit(m, m.absent ? m.deadline : ts);
      emitted.add(m);
      if (skip != AfterMatchSkip.NO_SKIP) {
        live.removeIf(p -> excludes(m, p));
      }
    }
  }

  private boolean excludedByAny(List<Partial> emitted, Partial m) {
    for (Partial e : emitted) {
      if (excludes(e, m)) {
        return true;
      }
    }
    return false;
  }

  private boolean excludes(Partial emitted, Partial other) {
    switch (skip) {
      case SKIP_PAST_LAST_EVENT:
        return other.first() <= emitted.last();
      case SKIP_TO_NEXT:
        return other.first() == emitted.first();
      default:
        return false;
    }
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }

  private MatchedEvents<Object> view(Partial p, Events events) {
    return new MatchedEvents<>() {
      @Override
      public List<Object> events(String stage) {
        Integer s = index.get(stage);
        if (s == null) {
          throw new IllegalArgumentException("the pattern has no step '" + stage + "' (steps: " + index.keySet() + ")");
        }
        if (p == null || s > p.stage) {
          return List.of();
        }
        int from = 0;
        for (int i = 0; i < s; i++) {
          from += p.counts[i];
        }
        return load(from, from + p.counts[s]);
      }

      @Override
      public List<Object> all() {
        return p == null ? List.of() : load(0, p.positions.length);
      }

      private List<Object> load(int from, int to) {
        List<Object> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          out.add(events.get(p.positions[i]));
        }
        return Collections.unmodifiableList(out);
      }
    };
  }
}
