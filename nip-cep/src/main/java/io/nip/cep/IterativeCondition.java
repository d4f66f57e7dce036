package io.nip.cep;

/**
 * A condition of a pattern step that also sees the events the partial match has taken so far
 * (Flink's {@code IterativeCondition}). It is evaluated once per candidate event and partial match,
 * in event-time order, before the event is taken: {@code matched} never contains {@code event}.
 *
 * <pre>{@code
 * Pattern.<Payment>begin("small").where(p -> p.amount() < 10)
 *     .followedBy("big").where((p, matched) -> p.amount() > 100 * matched.events("small").get(0).amount());
 * }</pre>
 *
 * <p>Must be deterministic and free of side effects: a restore evaluates it again for the events
 * read again after the checkpoint. An exception it throws follows the operator's error policy (see
 * {@link Cep#detect}).
 *
 * @param <T> event type
 */
@FunctionalInterface
public interface IterativeCondition<T> {

  /**
   * @param event the candidate event
   * @param matched the events taken by the partial match so far, by step
   * @return whether the event may be taken by this step
   */
  boolean test(T event, MatchedEvents<T> matched);
}
