package io.nip.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Source;
import io.nip.source.Sources;
import io.nip.state.StateBackend;
import io.nip.streaming.StatefulProcessor;
import io.nip.time.NipClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tutorial's "Stateful Stream Processing" aggregation, {@code aggregate_user_events}, with
 * {@link StatefulProcessor}: per user, each processing round's events are counted and their types
 * merged into state that lives for an hour after the user's last round.
 *
 * <pre>{@code
 * StatefulProcessor<UserEvent, UserActivity> p = StatefulAggregation.processor("memory", NipClock.system(), sink);
 * p.start(Sources.jsonLines("user-events", path, UserEvent.class)).awaitTermination();
 * }</pre>
 *
 * <p>A round of a user is what arrived since the user's round opened, closed after one second of
 * the pipeline clock, at 1,000 events, or at the end of input (see {@link StatefulProcessor}).
 */
public final class StatefulAggregation {
  /** The processor's name, as in the tutorial. */
  public static final String NAME = "aggregation_processor";
  /** The tutorial's {@code state_ttl=3600}. */
  public static final Duration STATE_TTL = Duration.ofHours(1);

  private StatefulAggregation() {}

  /**
   * The tutorial's result dictionary.
   *
   * @param userId the user
   * @param recentEvents events in this round
   * @param totalEvents events of the user in every round while its state lived
   * @param eventTypes every event type of the user while its state lived, sorted
   * @param lastSeen when the user's latest round was aggregated (ISO-8601, the pipeline clock)
   */
  @JsonPropertyOrder({"user_id", "recent_events", "total_events", "event_types", "last_seen"})
  public record UserActivity(
      @JsonProperty("user_id") String userId,
      @JsonProperty("recent_events") int recentEvents,
      @JsonProperty("total_events") long totalEvents,
      @JsonProperty("event_types") List<String> eventTypes,
      @JsonProperty("last_seen") String lastSeen) {
    /** Freezes the type list. */
    public UserActivity {
      eventTypes = List.copyOf(eventTypes);
    }
  }

  /**
   * {@code aggregate_user_events}: counts the round, adds it to {@code total_events}, merges the
   * event types into {@code event_types} and stamps {@code last_seen}, all in the user's state.
   *
   * @param clock gives {@code last_seen} (the tutorial's {@code datetime.now()})
   * @param userId the user
   * @param events the round's events
   * @param state the user's state, as JSON reads it back
   * @return the round's summary
   */
  public static UserActivity aggregateUserEvents(NipClock clock, String userId, List<UserEvent> events,
      Map<String, Object> state) {
    int eventCount = events.size();
    String lastSeen = clock.instant().toString();
    long total = ((Number) state.getOrDefault("total_events", 0)).longValue() + eventCount;
    TreeSet<String> types = new TreeSet<>();
    Object known = state.get("event_types");
    if (known instanceof List<?>) {
      for (Object t : (List<?>) known) {
        types.add(String.valueOf(t));
      }
    }
    for (UserEvent e : events) {
      types.add(e.eventType());
    }
    List<String> eventTypes = new ArrayList<>(types);
    state.put("last_seen", lastSeen);
    state.put("total_events", total);
    state.put("event_types", eventTypes);
    return new UserActivity(userId, eventCount, total, eventTypes, lastSeen);
  }

  /**
   * @param stateStore "memory", "rocksdb" or "redis" (the two last need their modules)
   * @param clock gives {@code last_seen}
   * @param sink where the summaries go
   * @return the tutorial's processor
   */
  public static StatefulProcessor<UserEvent, UserActivity> processor(String stateStore, NipClock clock,
      Sink<? super UserActivity> sink) {
    return StatefulProcessor.<UserEvent, UserActivity>named(NAME)
        .eventType(UserEvent.class)
        .stateStore(stateStore)
        .stateTtl(STATE_TTL)
        .aggregate(UserEvent::userId, (userId, events, state) -> aggregateUserEvents(clock, userId, events, state))
        .sink(sink);
  }

  /**
   * The processor over synthetic events (converted with {@link UserEvent#fromGeneric}), on the
   * processor's state backend.
   *
   * @param source generator events
   * @param clock the pipeline clock, which also gives {@code last_seen}
   * @param sink where the summaries go
   * @return the pipeline, not started
   */
  public static Pipeline pipeline(Source<GenericEvent> source, NipClock clock, Sink<? super UserActivity> sink) {
    StatefulProcessor<UserEvent, UserActivity> p = processor("memory", clock, sink);
    Pipeline pipeline = Pipeline.named(NAME, PipelineConfig.builder().clock(clock)
        .stateBackend(p.stateBackend().orElse(StateBackend.inMemory())).build());
    p.applyTo(pipeline.from(source).map(UserEvent::fromGeneric, Op.named("to-user-event")));
    return pipeline;
  }

  /**
   * Runs the processor over generated events and prints how many rounds and users it saw.
   *
   * @param args optional: number of events (default 100,000)
   */
  public static void main(String[] args) {
    long events = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
    LongAdder rounds = new LongAdder();
    Map<String, Long> totals = new ConcurrentHashMap<>();
    Source<GenericEvent> source = Sources.generator("user-events", GeneratorSpec.builder().events(events).build());
    Sink<UserActivity> out = Sinks.forEach("user_activity", a -> {
      rounds.increment();
      totals.merge(a.userId(), a.totalEvents(), Math::max);
    });
    try (PipelineHandle h = pipeline(source, NipClock.system(), out).start()) {
      h.awaitTermination();
    }
    long aggregated = totals.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("%d events of %d users in %d rounds; %d events aggregated%n", events, totals.size(),
        rounds.sum(), aggregated);
  }
}
