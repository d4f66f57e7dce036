package io.nip.cep;

import io.nip.cep.internal.Stage;
import io.nip.errors.ConfigurationException;
import io.nip.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A sequence of named steps that events of one key must match, in event-time order. Immutable:
 * every method returns a new pattern.
 *
 * <pre>{@code
 * Pattern<Login> p = Pattern.<Login>begin("failures").where(l -> !l.success())
 *     .times(3).stepWithin(Duration.ofMinutes(5))
 *     .followedBy("success").where(Login::success);
 * }</pre>
 *
 * <ul>
 *   <li><b>Contiguity.</b> {@link #next} is strict: the step's first event must be the key's very
 *       next event after the previous step's last. {@link #followedBy} is relaxed
 *       (skip-till-next-match): events that the partial match cannot take are ignored, and the first
 *       event it can take is taken — the partial match does not also wait for a later one. Inside a
 *       repeated step the events are relaxed too unless {@link #consecutive()}.
 *   <li><b>Quantifiers.</b> {@link #times} (exactly n), {@link #atLeast} (n or more; each further
 *       event gives a further match, and an event that both repeats the step and starts the next
 *       one takes both branches). A step without quantifier takes one event.
 *   <li><b>Time.</b> {@link #within} bounds the whole pattern (last matched event at most that long
 *       after the first, both ends inclusive), {@link #stepWithin} one step. Both are event time.
 *       Without any {@code within}, a partial match that never completes is kept forever: bound
 *       patterns whose first step is common.
 *   <li><b>Absence.</b> {@link #notFollowedBy} ends a pattern: the match is emitted once the
 *       watermark proves that no forbidden event came within the given time after the last matched
 *       event (inclusive).
 * </ul>
 *
 * @param <T> event type
 */
public final class Pattern<T> {
  private final List<Stage> stages;
  private final long withinMillis;
  private final Stage.Absence absence;
  private final AfterMatchSkip skip;

  private Pattern(List<Stage> stages, long withinMillis, Stage.Absence absence, AfterMatchSkip skip) {
    this.stages = List.copyOf(stages);
    this.withinMillis = withinMillis;
    this.absence = absence;
    this.skip = skip;
  }

  /**
   * Starts a pattern with a step that takes any event until {@link #where} restricts it.
   *
   * @param name the first step's name: letters, digits, '-', '_', '.'
   * @param <T> event type
   * @return the pattern
   * @throws ConfigurationException when the name is not valid
   */
  public static <T> Pattern<T> begin(String name) {
    return new Pattern<T>(List.of(), -1, null, AfterMatchSkip.SKIP_PAST_LAST_EVENT).step(name, false);
  }

  private Pattern<T> step(String name, boolean strict) {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw ConfigurationException.invalid("pattern step name", "'" + name + "'", "must use letters, digits, '-', '_' or '.'");
    }
    if (absence != null) {
      throw new ConfigurationException("pattern", "notFollowedBy ends a pattern: no step '" + name + "' may follow it");
    }
    for (Stage s : stages) {
      if (s.name().equals(name)) {
        throw ConfigurationException.invalid("pattern step name", "'" + name + "'", "must be unique in the pattern");
      }
    }
    List<Stage> next = new ArrayList<>(stages);
    next.add(new Stage(name, (e, m) -> true, 1, 1, strict, false, -1));
    return new Pattern<>(next, withinMillis, null, skip);
  }

  private Pattern<T> withLast(Stage last) {
    List<Stage> next = new ArrayList<>(stages);
    next.set(next.size() - 1, last);
    return new Pattern<>(next, withinMillis, absence, skip);
  }

  private Stage last(String what) {
    if (absence != null) {
      throw new ConfigurationException("pattern", what + " cannot follow notFollowedBy, which ends a pattern");
    }
    return stages.get(stages.size() - 1);
  }

  /**
   * Restricts the current step; several calls are combined with AND.
   *
   * @param condition tested on each candidate event
   * @return the pattern
   */
  @SuppressWarnings("unchecked")
  public Pattern<T> where(Predicate<? super T> condition) {
    Objects.requireNonNull(condition, "condition");
    Predicate<Object> c = (Predicate<Object>) condition;
    return withLast(last("where").and((e, m) -> c.test(e)));
  }

  /**
   * Restricts the current step with a condition that sees the events matched so far.
   *
   * @param condition tested on each candidate event with the partial match's events
   * @return the pattern
   */
  @SuppressWarnings("unchecked")
  public Pattern<T> where(IterativeCondition<? super T> condition) {
    Objects.requireNonNull(condition, "condition");
    IterativeCondition<Object> c = (IterativeCondition<Object>) (IterativeCondition<?>) condition;
    return withLast(last("where").and(c));
  }

  /**
   * The tutorial's {@code match(event_type=.., condition=..)}: the current step takes events of
   * that type (an {@link Event}'s {@code eventType()}) satisfying the condition.
   *
   * @param eventType the required {@link Event#eventType()}
   * @param condition further condition, or null for none
   * @return the pattern; evaluated on an event that does not implement {@link Event}, the
   *     condition fails (a {@code ClassCastException} that follows the operator's error policy)
   */
  public Pattern<T> match(String eventType, Predicate<? super T> condition) {
    Objects.requireNonNull(eventType, "eventType");
    Pattern<T> typed = where(e -> eventType.equals(((Event) e).eventType()));
    return condition == null ? typed : typed.where(condition);
  }

  /**
   * Adds a step whose first event must directly follow the previous step's last event (strict
   * contiguity).
   *
   * @param name the step's name, unique in the pattern
   * @return the pattern
   */
  public Pattern<T> next(String name) {
    return step(name, true);
  }

  /**
   * Adds a step whose first event may follow the previous step's last event after events that the
   * partial match cannot take (relaxed contiguity, skip till next match).
   *
   * @param name the step's name, unique in the pattern
   * @return the pattern
   */
  public Pattern<T> followedBy(String name) {
    return step(name, false);
  }

  /**
   * @param n how many events the current step takes, at least 1
   * @return the pattern
   */
  public Pattern<T> times(int n) {
    if (n < 1) {
      throw ConfigurationException.invalid("times", n, "must be at least 1");
    }
    return withLast(last("times").quantified(n, n));
  }

  /**
   * @param n the fewest events the current step takes, at least 1; it takes any number more
   * @return the pattern
   */
  public Pattern<T> atLeast(int n) {
    if (n < 1) {
      throw ConfigurationException.invalid("atLeast", n, "must be at least 1");
    }
    return withLast(last("atLeast").quantified(n, Integer.MAX_VALUE));
  }

  /** @return the pattern whose current (repeated) step must take consecutive events */
  public Pattern<T> consecutive() {
    return withLast(last("consecutive").consecutive());
  }

  /**
   * Bounds the current step: its last event at most {@code within} after its first (inclusive).
   * The tutorial's {@code repeat(times=3, within_seconds=300)} is {@code times(3).stepWithin(5 min)}.
   *
   * @param within positive, millisecond precision
   * @return the pattern
   */
  public Pattern<T> stepWithin(Duration within) {
    return withLast(last("stepWithin").stepWithin(positiveMillis("stepWithin", within)));
  }

  /**
   * Bounds the whole pattern: its last matched event at most {@code within} after its first
   * (inclusive). Partial matches older than that are dropped from state when the watermark passes.
   *
   * @param within positive, millisecond precision
   * @return the pattern
   */
  public Pattern<T> within(Duration within) {
    return new Pattern<>(stages, positiveMillis("within", within), absence, skip);
  }

  /**
   * Ends the pattern with an absence: a match is emitted only when no event satisfying
   * {@code condition} arrives within {@code within} after the last matched event (both ends
   * inclusive), and only once the watermark has passed that time — also when the key sends nothing
   * more, as long as the watermark moves (other keys, the idle timeout, the end of input).
   *
   * @param condition the forbidden events
   * @param within how long they are forbidden, positive, millisecond precision
   * @return the pattern; no step may follow
   */
  @SuppressWarnings("unchecked")
  public Pattern<T> notFollowedBy(Predicate<? super T> condition, Duration within) {
    Objects.requireNonNull(condition, "condition");
    last("notFollowedBy");
    return new Pattern<>(stages, withinMillis,
        new Stage.Absence((Predicate<Object>) condition, positiveMillis("notFollowedBy.within", within)), skip);
  }

  /**
   * @param strategy what happens to other partial matches after a match (default
   *     {@link AfterMatchSkip#SKIP_PAST_LAST_EVENT})
   * @return the pattern
   */
  public Pattern<T> afterMatch(AfterMatchSkip strategy) {
    return new Pattern<>(stages, withinMillis, absence, Objects.requireNonNull(strategy, "strategy"));
  }

  /** @return the step names in order */
  public List<String> stepNames() {
    return stages.stream().map(Stage::name).toList();
  }

  /** @return the after-match skip strategy */
  public AfterMatchSkip afterMatchSkip() {
    return skip;
  }

  /** @return the compiled steps, for the NFA (not API: the element type is internal) */
  List<Stage> stages() {
    return stages;
  }

  /** @return the whole-pattern bound in ms, or negative for none */
  long withinMillis() {
    return withinMillis;
  }

  /** @return the trailing absence, or null */
  Stage.Absence absence() {
    return absence;
  }

  private static long positiveMillis(String setting, Duration d) {
    Objects.requireNonNull(d, setting);
    if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
      throw ConfigurationException.invalid(setting, d, "must be at least 1 ms");
    }
    return d.toMillis();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Pattern[");
    for (int i = 0; i < stages.size(); i++) {
      Stage s = stages.get(i);
      if (i > 0) {
        b.append(s.strictIn() ? " next " : " followedBy ");
      }
      b.append(s.name());
      if (s.min() != 1 || s.max() != 1) {
        b.append(s.max() == Integer.MAX_VALUE ? "{" + s.min() + ",}" : "{" + s.min() + "}");
      }
      if (s.stepWithinMillis() >= 0) {
        b.append(" stepWithin ").append(s.stepWithinMillis()).append("ms");
      }
    }
    if (absence != null) {
      b.append(" notFollowedBy within ").append(absence.millis()).append("ms");
    }
    if (withinMillis >= 0) {
      b.append(" within ").append(withinMillis).append("ms");
    }
    return b.append(", ").append(skip).append(']').toString();
  }
}
