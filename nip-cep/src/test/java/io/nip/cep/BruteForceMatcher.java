package io.nip.cep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The reference for the pattern properties: the declarative definition of a match, checked by
 * enumerating every assignment of a key's events to steps. It shares no code with the NFA.
 *
 * <p>A match is an increasing sequence of event indexes (the key's events in event-time order, ties
 * in arrival order), each assigned to a step, steps in order, each step taking between its min and
 * max events, such that: every event satisfies its step's condition given the events before it;
 * the last event is at most {@code within} after the first, and a step's last at most its
 * {@code stepWithin} after its first; an event entering a step by a strict edge (next into the
 * step, or a consecutive repeat) directly follows the previous one; and between two consecutive
 * events of the match no event could have been taken by the prefix (by an edge allowed at that
 * place). With a trailing absence, no forbidden event follows the last event within the period.
 * Matches are then ordered by when they are detected and the skip strategy is applied in that order.
 */
final class BruteForceMatcher {

  /** A step of the reference pattern. */
  record Step(String name, BiPredicate<PEv, List<PEv>> condition, int min, int max, boolean strictIn,
      boolean innerStrict, long stepWithinMillis) {}

  /** The reference pattern. */
  record Spec(List<Step> steps, long withinMillis, Predicate<PEv> absent, long absentMillis, AfterMatchSkip skip) {}

  /** An event with its time; {@code id} is unique. */
  record PEv(String user, String kind, int v, int id) {}

  /** A found match: event indexes and their steps, and when it is detected. */
  record Found(int[] idx, int[] stage, int detectIdx, int phase, long detectedAt) {}

  private final Spec spec;
  private final List<PEv> evs;
  private final long[] ts;

  private BruteForceMatcher(Spec spec, List<PEv> evs, long[] ts) {
    this.spec = spec;
    this.evs = evs;
    this.ts = ts;
  }

  /**
   * @param spec the pattern
   * @param evs one key's events in event-time order (ties in arrival order)
   * @param ts their times
   * @return the emitted matches, in emission order
   */
  static List<Found> matches(Spec spec, List<PEv> evs, long[] ts) {
    BruteForceMatcher m = new BruteForceMatcher(spec, evs, ts);
    List<Found> all = new ArrayList<>();
    for (int i = 0; i < evs.size(); i++) {
      if (spec.steps().get(0).condition().test(evs.get(i), List.of())) {
        m.extend(new int[] {i}, new int[] {0}, all);
      }
    }
    all.sort(Comparator.comparingInt(Found::detectIdx).thenComparingInt(Found::phase)
        .thenComparingLong(Found::detectedAt)
        .thenComparing((a, b) -> Arrays.compare(a.idx(), b.idx()))
        .thenComparing((a, b) -> Arrays.compare(a.stage(), b.stage())));
    List<Found> emitted = new ArrayList<>();
    for (Found f : all) {
      if (emitted.stream().noneMatch(e -> excludes(spec.skip(), e, f))) {
        emitted.add(f);
      }
    }
    return emitted;
  }

  private static boolean excludes(AfterMatchSkip skip, Found emitted, Found other) {
    switch (skip) {
      case SKIP_PAST_LAST_EVENT:
        return other.idx()[0] <= emitted.idx()[emitted.idx().length - 1];
      case SKIP_TO_NEXT:
        return other.idx()[0] == emitted.idx()[0];
      default:
        return false;
    }
  }

  private void extend(int[] idx, int[] stage, List<Found> out) {
    int n = idx.length;
    int s = stage[n - 1];
    int c = countOf(stage, s);
    List<Step> steps = spec.steps();
    if (s == steps.size() - 1 && c >= steps.get(s).min()) {
      record(idx, stage, out);
    }
    int last = idx[n - 1];
    for (int j = last + 1; j < evs.size(); j++) {
      for (int t = s; t <= s + 1 && t < steps.size(); t++) {
        if (!edgeExists(stage, t)) {
          continue;
        }
        if (strict(s, t) && j != last + 1) {
          continue;
        }
        if (takes(idx, stage, t, j) && !blocked(idx, stage, last + 1, j - 1)) {
          int[] i2 = Arrays.copyOf(idx, n + 1);
          int[] s2 = Arrays.copyOf(stage, n + 1);
          i2[n] = j;
          s2[n] = t;
          extend(i2, s2, out);
        }
      }
    }
  }

  private boolean edgeExists(int[] stage, int t) {
    int s = stage[stage.length - 1];
    int c = countOf(stage, s);
    Step st = spec.steps().get(s);
    return t == s ? c < st.max() : c >= st.min();
  }

  private boolean strict(int s, int t) {
    return t == s ? spec.steps().get(s).innerStrict() : spec.steps().get(t).strictIn();
  }

  /** Whether some event in [from, to] could be taken by the prefix through an edge allowed there. */
  private boolean blocked(int[] idx, int[] stage, int from, int to) {
    int s = stage[stage.length - 1];
    for (int k = from; k <= to; k++) {
      for (int t = s; t <= s + 1 && t < spec.steps().size(); t++) {
        boolean allowed = !strict(s, t) || k == idx[idx.length - 1] + 1;
        if (allowed && edgeExists(stage, t) && takes(idx, stage, t, k)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean takes(int[] idx, int[] stage, int t, int j) {
    if (spec.withinMillis() >= 0 && ts[j] - ts[idx[0]] > spec.withinMillis()) {
      return false;
    }
    Step st = spec.steps().get(t);
    int s = stage[stage.length - 1];
    if (t == s && st.stepWithinMillis() >= 0) {
      int first = 0;
      while (stage[first] != s) {
        first++;
      }
      if (ts[j] - ts[idx[first]] > st.stepWithinMillis()) {
        return false;
      }
    }
    List<PEv> before = new ArrayList<>();
    for (int i : idx) {
      before.add(evs.get(i));
    }
    return st.condition().test(evs.get(j), before);
  }

  private void record(int[] idx, int[] stage, List<Found> out) {
    int last = idx[idx.length - 1];
    if (spec.absent() == null) {
      out.add(new Found(idx, stage, last, 0, ts[last]));
      return;
    }
    long deadline = ts[last] + spec.absentMillis();
    int detect = last;
    for (int k = last + 1; k < evs.size() && ts[k] <= deadline; k++) {
      if (spec.absent().test(evs.get(k))) {
        return;
      }
      detect = k;
    }
    out.add(new Found(idx, stage, detect, 1, deadline));
  }

  private static int countOf(int[] stage, int s) {
    int c = 0;
    for (int x : stage) {
      if (x == s) {
        c++;
      }
    }
    return c;
  }
}
