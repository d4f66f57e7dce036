package io.nip.cep.internal;

import io.nip.cep.IterativeCondition;
import java.util.function.Predicate;

/**
 * One step of a compiled pattern: the NFA's states are (step, count) pairs over these.
 *
 * <p>Invariants: {@code 1 <= min <= max}; {@code max == Integer.MAX_VALUE} means unbounded
 * ({@code atLeast}); {@code stepWithinMillis < 0} means no bound. Immutable, shared by every task.
 *
 * @param name unique step name
 * @param condition the take condition, never null (true when the user gave none)
 * @param min events the step needs
 * @param max events the step may take
 * @param strictIn the step's first event must directly follow the previous step's last (next)
 * @param innerStrict a looping step's events must be consecutive
 * @param stepWithinMillis the step's last event at most this after its first, or negative
 */
public record Stage(String name, IterativeCondition<Object> condition, int min, int max, boolean strictIn,
    boolean innerStrict, long stepWithinMillis) {

  /** @return whether the step can take more than one event */
  public boolean loops() {
    return max > 1;
  }

  /**
   * @param more an added condition
   * @return a copy whose condition is the conjunction
   */
  public Stage and(IterativeCondition<Object> more) {
    IterativeCondition<Object> first = condition;
    return new Stage(name, (e, m) -> first.test(e, m) && more.test(e, m), min, max, strictIn, innerStrict,
        stepWithinMillis);
  }

  /**
   * @param lo min
   * @param hi max
   * @return a copy with that quantifier
   */
  public Stage quantified(int lo, int hi) {
    return new Stage(name, condition, lo, hi, strictIn, innerStrict, stepWithinMillis);
  }

  /** @return a copy whose repeated events must be consecutive */
  public Stage consecutive() {
    return new Stage(name, condition, min, max, strictIn, true, stepWithinMillis);
  }

  /**
   * @param millis bound
   * @return a copy with that step bound
   */
  public Stage stepWithin(long millis) {
    return new Stage(name, condition, min, max, strictIn, innerStrict, millis);
  }

  /**
   * A trailing absence: no event satisfying {@code condition} within {@code millis} after the last
   * matched event (inclusive).
   *
   * @param condition the forbidden events
   * @param millis how long, positive
   */
  public record Absence(Predicate<Object> condition, long millis) {}
}
