package io.nip.cep;

/**
 * What happens to the other partial matches of a key once a match is emitted (the after-match skip
 * strategy of Flink CEP and SQL {@code MATCH_RECOGNIZE}). Positions are the key's events in
 * event-time order (ties in arrival order); several matches completed by the same event are emitted
 * by earliest first event, then by their events' positions (lexicographically).
 *
 * <pre>{@code
 * Pattern.<Login>begin("fail").where(l -> !l.success()).times(3).afterMatch(AfterMatchSkip.NO_SKIP);
 * }</pre>
 */
public enum AfterMatchSkip {
  /** Every match is emitted; partial matches are kept. Overlapping matches multiply output. */
  NO_SKIP,
  /**
   * The default: partial matches (and matches not emitted yet) whose first event is at or before
   * the emitted match's last event are discarded, so matches never share an event.
   */
  SKIP_PAST_LAST_EVENT,
  /**
   * Partial matches (and matches not emitted yet) that started with the same event as the emitted
   * match are discarded: at most one match starts at each event.
   */
  SKIP_TO_NEXT
}
