package io.nip.cep;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import io.nip.event.Event;
import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Op;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The tutorial's {@code PatternDetector}: named patterns and their handlers, run on a keyed stream.
 * A thin layer over {@link Cep#detect}: each pattern is one pattern operator named after it (its
 * state scope; names must be unique in the pipeline), each handler a {@code forEach} sink on its
 * matches.
 *
 * <pre>{@code
 * PatternDetector<String, UserEvent> detector = PatternDetector.<String, UserEvent>named("pattern_detector")
 *     .eventSerde(Serdes.json(UserEvent.class))
 *     .pattern("cart_abandonment", PatternDetector.<UserEvent>match("add_to_cart", null)
 *         .followedBy("checkout").match("view_checkout", null)
 *         .notFollowedBy(PatternDetector.ofType("purchase"), Duration.ofHours(1)))
 *     .handler("cart_abandonment", (user, events) -> remind(user, events));
 * detector.applyTo(events.keyBy(UserEvent::userId, Serdes.string()));
 * }</pre>
 *
 * <p>Handlers run on the task threads of the pipeline (several at once when keyed tasks run in
 * parallel; one key's matches always on one thread, in order), and again for matches produced
 * again after a restore: make them thread-safe and idempotent, or write matches to a sink of the
 * pipeline instead ({@link #applyTo} returns the {@link PatternStream}s).
 *
 * @param <K> key type
 * @param <T> event type
 */
public final class PatternDetector<K, T> {
  private final String name;
  private final Map<String, Pattern<T>> patterns = new LinkedHashMap<>();
  private final Map<String, List<BiConsumer<? super K, ? super List<T>>>> handlers = new LinkedHashMap<>();
  private Serde<T> eventSerde;
  private ErrorPolicy errorPolicy;
  private Sink<? super T> lateSink;

  private PatternDetector(String name) {
    this.name = name;
  }

  /**
   * @param name the detector's name, a prefix of its handler sinks' names
   * @param <K> key type
   * @param <T> event type
   * @return an empty detector
   */
  public static <K, T> PatternDetector<K, T> named(String name) {
    Op.named(Objects.requireNonNull(name, "name"));
    return new PatternDetector<>(name);
  }

  /**
   * The tutorial's {@code PatternDetector.match(event_type=.., condition=..)}: a pattern whose first
   * step, named after the event type, takes events of that type satisfying the condition.
   *
   * @param eventType the {@link Event#eventType()} to match
   * @param condition further condition, or null
   * @param <T> event type
   * @return the pattern, to continue with {@code times}, {@code followedBy}, ...
   */
  public static <T extends Event> Pattern<T> match(String eventType, Predicate<? super T> condition) {
    return Pattern.<T>begin(eventType).match(eventType, condition);
  }

  /**
   * @param eventType an event type
   * @param <T> event type
   * @return a condition true for events of that type, e.g. for {@link Pattern#notFollowedBy}
   */
  public static <T extends Event> Predicate<T> ofType(String eventType) {
    Objects.requireNonNull(eventType, "eventType");
    return e -> eventType.equals(e.eventType());
  }

  /**
   * @param serde writes buffered events to state; required
   * @return this detector
   */
  public PatternDetector<K, T> eventSerde(Serde<T> serde) {
    this.eventSerde = Objects.requireNonNull(serde, "serde");
    return this;
  }

  /**
   * The tutorial's {@code @detector.pattern(name=..)}.
   *
   * @param patternName the pattern's name: its operator's name, unique in the pipeline
   * @param pattern the pattern
   * @return this detector
   * @throws ConfigurationException when the name is taken or not a valid operator name
   */
  public PatternDetector<K, T> pattern(String patternName, Pattern<T> pattern) {
    Op.named(Objects.requireNonNull(patternName, "patternName"));
    Objects.requireNonNull(pattern, "pattern");
    if (patterns.putIfAbsent(patternName, pattern) != null) {
      throw ConfigurationException.invalid("pattern", "'" + patternName + "'", "is already defined in detector '" + name + "'");
    }
    return this;
  }

  /**
   * The tutorial's {@code @detector.handler(pattern=..)}: called with the key and the matched events
   * in event-time order, once per match.
   *
   * @param patternName a pattern of this detector (checked by {@link #applyTo})
   * @param handler the callback
   * @return this detector
   */
  public PatternDetector<K, T> handler(String patternName, BiConsumer<? super K, ? super List<T>> handler) {
    Objects.requireNonNull(patternName, "patternName");
    Objects.requireNonNull(handler, "handler");
    handlers.computeIfAbsent(patternName, n -> new ArrayList<>()).add(handler);
    return this;
  }

  /**
   * @param policy for exceptions thrown by conditions (default: the pipeline's)
   * @return this detector
   */
  public PatternDetector<K, T> onError(ErrorPolicy policy) {
    this.errorPolicy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * @param sink receives the events that arrived behind the watermark (once, however many
   *     patterns); without one they are only counted and logged
   * @return this detector
   */
  public PatternDetector<K, T> lateEvents(Sink<? super T> sink) {
    this.lateSink = Objects.requireNonNull(sink, "sink");
    return this;
  }

  /**
   * Adds every pattern, its handlers and the late-events sink to the pipeline of {@code input}.
   *
   * @param input the keyed events
   * @return the patterns' outputs by name, in definition order
   * @throws ConfigurationException when there is no pattern, no event serde, or a handler names an
   *     unknown pattern
   */
  public Map<String, PatternStream<K, T>> applyTo(KeyedStream<K, T> input) {
    Objects.requireNonNull(input, "input");
    if (patterns.isEmpty()) {
      throw new ConfigurationException("pattern", "detector '" + name + "' has no pattern");
    }
    if (eventSerde == null) {
      throw new ConfigurationException("eventSerde", "detector '" + name + "' needs an event serde to keep events in state");
    }
    for (String h : handlers.keySet()) {
      if (!patterns.containsKey(h)) {
        throw ConfigurationException.invalid("handler", "'" + h + "'", "names no pattern of detector '" + name
            + "' (patterns: " + patterns.keySet() + ")");
      }
    }
    Map<String, PatternStream<K, T>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Pattern<T>> p : patterns.entrySet()) {
      Op op = errorPolicy == null ? Op.named(p.getKey()) : Op.named(p.getKey()).onError(errorPolicy);
      PatternStream<K, T> stream = Cep.detect(input, p.getValue(), eventSerde, op);
      int n = 0;
      for (BiConsumer<? super K, ? super List<T>> h : handlers.getOrDefault(p.getKey(), List.of())) {
        String sinkName = name + "." + p.getKey() + ".handler-" + (++n);
        stream.matches().to(Sinks.<PatternMatch<K, T>>forEach(sinkName, m -> h.accept(m.key(), m.events())));
      }
      if (lateSink != null && out.isEmpty()) {
        stream.lateEvents().to(lateSink);
      }
      out.put(p.getKey(), stream);
    }
    return out;
  }
}
