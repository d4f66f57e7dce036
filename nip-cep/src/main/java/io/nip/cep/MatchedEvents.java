package io.nip.cep;

import java.util.List;

/**
 * The events a partial match has taken so far, as an {@link IterativeCondition} sees them. Events
 * are read from the pattern's shared event buffer (keyed state) when asked for, so a condition that
 * does not look pays nothing.
 *
 * <pre>{@code
 * (e, matched) -> e.amount() > matched.events("failures").size() * 10
 * }</pre>
 *
 * @param <T> event type
 */
public interface MatchedEvents<T> {

  /**
   * @param stage a step name of the pattern
   * @return the events taken by that step, in event-time order; empty when none yet
   * @throws IllegalArgumentException when the pattern has no step of that name
   */
  List<T> events(String stage);

  /** @return every event taken so far, in event-time order */
  List<T> all();
}
