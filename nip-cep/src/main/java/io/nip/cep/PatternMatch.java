package io.nip.cep;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One match of a pattern for one key.
 *
 * <pre>{@code
 * matches.to(Sinks.forEach("alerts", m -> alert(m.key(), m.events())));
 * }</pre>
 *
 * @param pattern the pattern's name (its operator's name)
 * @param key the key the events belong to
 * @param events the matched events in event-time order (ties in arrival order)
 * @param stages the same events per step name, in the pattern's step order; steps of a trailing
 *     {@code notFollowedBy} take no events and are absent
 * @param detectedAt the event time of the last matched event, or for a pattern ending with
 *     {@code notFollowedBy(.., within)} that time plus {@code within} (when the absence was proven);
 *     also the result record's event time
 * @param <K> key type
 * @param <T> event type
 */
public record PatternMatch<K, T>(String pattern, K key, List<T> events, Map<String, List<T>> stages,
    Instant detectedAt) {

  /** Validates and copies. */
  public PatternMatch {
    Objects.requireNonNull(pattern, "pattern");
    events = List.copyOf(events);
    stages = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stages));
    Objects.requireNonNull(detectedAt, "detectedAt");
  }

  /**
   * @param stage a step name
   * @return the events that step took; empty when none
   */
  public List<T> events(String stage) {
    return stages.getOrDefault(stage, List.of());
  }
}
