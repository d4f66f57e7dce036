package io.nip.streaming;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Op;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.Stream;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.state.StateBackend;
import io.nip.state.StateBackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The tutorial's stateful aggregation: per key, the events of one <em>processing round</em> are
 * handed to a function together with a per-key state map that survives rounds, restarts and
 * restores; what it returns is emitted. It is a recipe for {@code keyBy(..).process(..)} with the
 * DSL's keyed stores and timers, not an engine of its own.
 *
 * <pre>{@code
 * StatefulProcessor<UserEvent, Map<String, Object>> p =
 *     StatefulProcessor.<UserEvent, Map<String, Object>>named("aggregation_processor")
 *         .eventType(UserEvent.class).stateStore("redis").stateTtl(Duration.ofHours(1))
 *         .aggregate(UserEvent::userId, (userId, events, state) -> {
 *           long total = ((Number) state.getOrDefault("total_events", 0)).longValue() + events.size();
 *           state.put("total_events", total);
 *           return Map.of("user_id", userId, "recent_events", events.size(), "total_events", total);
 *         })
 *         .sink(results::add);
 * PipelineHandle h = p.start(source);
 * }</pre>
 *
 * <h2>Sessions</h2>
 * Instead of rounds, {@link #sessionize} groups a key's events into event-time sessions (the
 * tutorial's {@code @processor.sessionize}): more than the timeout of inactivity closes a session,
 * its events are handed over in event-time order with a stable session id, late events within
 * {@link #allowedLateness(Duration)} emit updates, and later ones go to {@link #lateEvents(Sink)}.
 *
 * <pre>{@code
 * StatefulProcessor.<UserEvent, Summary>named("sessions").eventType(UserEvent.class).allowedLateness(Duration.ofMinutes(5))
 *     .sessionize(Duration.ofMinutes(30), UserEvent::userId, (user, events, id) -> Summary.of(user, events, id)).sink(out);
 * }</pre>
 *
 * <h2>Processing rounds</h2>
 * A round of a key opens with the key's first event while no round of that key is open, at
 * processing time {@code t0} (the pipeline clock). It closes at the first of:
 * <ol>
 *   <li>its {@link #maxEventsPerRound(int) maxEventsPerRound}-th event (default 1,000): the round
 *       closes while that event is processed, with it;
 *   <li>the pipeline clock reaching {@code t0 + }{@link #flushInterval(Duration) flushInterval}
 *       (default one second), a processing-time timer;
 *   <li>the end of input (every source exhausted, the watermark at the end of time). A pipeline
 *       stopped with {@code stop()} does not close its rounds: they stay in its last checkpoint and
 *       a restarted pipeline continues them.
 * </ol>
 * The function then gets the round's events in arrival order. The buffered events are held in
 * keyed state of the chosen backend, with the per-key state and the timers, so a checkpoint holds
 * them and a restore neither loses nor doubles one. The cap bounds the buffer: a key never holds
 * more than {@code maxEventsPerRound - 1} buffered events, because reaching the cap closes the round
 * early (no event is dropped). The result is emitted with the key and the largest event time among
 * the round's events; a null result emits nothing.
 *
 * <h2>State</h2>
 * The state map is stored as JSON (through {@link Serdes#jsonMap()}) in the key-value store of the
 * chosen backend; values must be JSON-representable, and the function always sees them as JSON
 * reads them back (numbers as {@code Integer}, {@code Long} or {@code Double}, lists as
 * {@code List}, objects as {@code Map}), with every backend. The function gets a fresh copy;
 * changes are stored after it returns (an emptied map removes the key's state). With
 * {@link #stateTtl(Duration)} a key's state expires that long (pipeline clock) after its last
 * round stored it.
 *
 * <h2>Errors</h2>
 * A function that throws follows the pipeline's error policy, for the round as a whole: RETRY calls
 * it again with the same events and the unchanged state; SKIP and DEAD_LETTER drop the round (its
 * events are not aggregated, the state is unchanged; the dead letter names the event that closed
 * the round, or the key when a timer closed it); FAIL fails the pipeline, and a restart resumes
 * from the last checkpoint, which still holds the round's events.
 *
 * <h2>Backend</h2>
 * {@link #stateStore(String)} picks the backend of the pipeline that {@link #pipeline} or
 * {@link #start} builds ({@code PipelineConfig.stateBackend}): state backends belong to a
 * pipeline. {@link #applyTo} adds the processor to a stream of a pipeline built elsewhere, whose
 * backend is used; give that pipeline {@link #stateBackend()} to keep the choice.
 *
 * <p>Keys are written with {@code keyBy}'s JSON serde unless one is given
 * ({@link #aggregate(Function, Serde, Aggregation)}). Not thread-safe while being configured;
 * apply a processor at most once per pipeline (its operator is named after it).
 *
 * @param <T> the event type
 * @param <R> the result type
 */
public final class StatefulProcessor<T, R> extends SourceFacade<T> {
  /** The default {@link #flushInterval(Duration)}: one second. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  /** The default {@link #maxEventsPerRound(int)}. */
  public static final int DEFAULT_MAX_EVENTS_PER_ROUND = 1_000;
  private static final Duration MAX_FLUSH_INTERVAL = Duration.ofDays(365);
  private static final Duration MAX_STATE_TTL = Duration.ofDays(36_500);
  private static final int MAX_EVENTS_LIMIT = 1_000_000;
  /** The default {@link #maxEventsPerSession(int)}. */
  public static final int DEFAULT_MAX_EVENTS_PER_SESSION = 10_000;
  private static final Duration MAX_SESSION_TIMEOUT = Duration.ofDays(365);

  private final List<Sink<? super R>> sinks = new ArrayList<>();
  private StateBackend backend;
  private Duration stateTtl;
  private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
  private int maxEvents = DEFAULT_MAX_EVENTS_PER_ROUND;
  private Serde<T> eventSerde;
  private Duration allowedLateness = Duration.ZERO;
  private int maxEventsPerSession = DEFAULT_MAX_EVENTS_PER_SESSION;
  private Sink<? super LateEvent<T>> lateSink;
  /** Keys the input and adds the round operator, with the settings at apply time. */
  private Function<Stream<T>, Stream<R>> aggregation;

  /**
   * The user's per-round function.
   *
   * @param <K> key type
   * @param <T> event type
   * @param <R> result type
   */
  @FunctionalInterface
  public interface Aggregation<K, T, R> {
    /**
     * @param key the round's key
     * @param events the round's events in arrival order, at least one; unmodifiable
     * @param state the key's state (empty on its first round or after it expired), to read and
     *     change; stored when this returns
     * @return the result to emit, or null for none
     */
    R apply(K key, List<T> events, Map<String, Object> state);
  }

  /**
   * The user's per-session function of {@link #sessionize}.
   *
   * @param <K> key type
   * @param <T> event type
   * @param <R> result type
   */
  @FunctionalInterface
  public interface SessionFunction<K, T, R> {
    /**
     * @param key the session's key
     * @param sessionEvents the session's events in event-time order (ties: arrival order), at least
     *     one, unmodifiable, bounded by {@link #maxEventsPerSession(int)}; also says whether this
     *     result is an update and which earlier session ids it supersedes
     * @param sessionId the session's id, see {@link SessionIds}
     * @return the result to emit, or null for none
     */
    R apply(K key, SessionEvents<T> sessionEvents, String sessionId);
  }

  private StatefulProcessor(String name) {
    super(name);
  }

  /**
   * Starts a processor definition; give the event type, the aggregation and a sink next.
   *
   * <pre>{@code
   * StatefulProcessor<UserEvent, Summary> p = StatefulProcessor.<UserEvent, Summary>named("aggregation_processor")
   *     .eventType(UserEvent.class);
   * }</pre>
   *
   * @param name letters, digits, '-', '_', '.'; the name of its keyed operator (where its state
   *     lives) and of the pipeline {@link #start} builds
   * @param <T> the event type
   * @param <R> the result type
   * @return a processor without aggregation
   */
  public static <T, R> StatefulProcessor<T, R> named(String name) {
    return new StatefulProcessor<>(FacadeNames.check("StatefulProcessor name", name));
  }

  /** @return the processor's name */
  public String name() {
    return name;
  }

  /**
   * The events of an open round are kept in keyed state: they need a serde. This one is JSON.
   *
   * @param type the event class, e.g. a record
   * @return this
   */
  public StatefulProcessor<T, R> eventType(Class<T> type) {
    return eventSerde(Serdes.json(Objects.requireNonNull(type, "type")));
  }

  /**
   * @param serde how buffered events are stored in keyed state and checkpoints
   * @return this
   */
  public StatefulProcessor<T, R> eventSerde(Serde<T> serde) {
    this.eventSerde = Objects.requireNonNull(serde, "eventSerde");
    return this;
  }

  /**
   * Picks the state backend by the tutorial's names: {@code "memory"} (built in), {@code "rocksdb"}
   * (nip-state-rocksdb) or {@code "redis"} (nip-state-redis), resolved through
   * {@link StateBackendProvider}; {@code "cassandra"} is refused, not supported yet.
   *
   * @param store the backend's name
   * @return this
   * @throws ConfigurationException when the backend is unknown, not on the class path (the message
   *     names the module), or {@code cassandra}
   */
  public StatefulProcessor<T, R> stateStore(String store) {
    return stateStore(store, Map.of());
  }

  /**
   * @param store the backend's name, see {@link #stateStore(String)}
   * @param settings the backend's settings, e.g. {@code Map.of("redis.uri", "redis://cache:6379")}
   * @return this
   * @throws ConfigurationException when the backend is unknown, missing, {@code cassandra}, or a
   *     setting is invalid
   */
  public StatefulProcessor<T, R> stateStore(String store, Map<String, String> settings) {
    Objects.requireNonNull(store, "stateStore");
    Objects.requireNonNull(settings, "settings");
    if ("cassandra".equals(store)) {
      throw ConfigurationException.invalid("StatefulProcessor '" + name + "' stateStore", "'cassandra'",
          "is not supported yet (use memory, rocksdb or redis)");
    }
    return stateStore(StateBackendProvider.create(store, settings));
  }

  /**
   * @param backend a backend built in code
   * @return this
   */
  public StatefulProcessor<T, R> stateStore(StateBackend backend) {
    this.backend = Objects.requireNonNull(backend, "stateStore");
    return this;
  }

  /**
   * Lets a key's state expire {@code ttl} after its last round stored it (the tutorial's
   * {@code state_ttl=3600} is {@code Duration.ofHours(1)}). Without it, state lives until the
   * function empties it.
   *
   * @param ttl positive
   * @return this
   */
  public StatefulProcessor<T, R> stateTtl(Duration ttl) {
    this.stateTtl = positive("stateTtl", ttl, MAX_STATE_TTL);
    return this;
  }

  /**
   * @param interval how long after its first event a round closes at the latest (pipeline clock);
   *     from 1 ms to 365 days, default one second
   * @return this
   */
  public StatefulProcessor<T, R> flushInterval(Duration interval) {
    Duration d = positive("flushInterval", interval, MAX_FLUSH_INTERVAL);
    if (d.toMillis() < 1) {
      throw ConfigurationException.invalid("StatefulProcessor '" + name + "' flushInterval", d, "must be at least 1 ms");
    }
    this.flushInterval = d;
    return this;
  }

  /**
   * @param n how many events close a round at once, 1 to 1,000,000 (1: every event is a round of
   *     its own); also the bound of a key's buffer (default 1,000)
   * @return this
   */
  public StatefulProcessor<T, R> maxEventsPerRound(int n) {
    if (n < 1 || n > MAX_EVENTS_LIMIT) {
      throw ConfigurationException.invalid("StatefulProcessor '" + name + "' maxEventsPerRound", n,
          "must be between 1 and " + MAX_EVENTS_LIMIT);
    }
    this.maxEvents = n;
    return this;
  }

  /**
   * Sets the aggregation: events are keyed by {@code keyFn} (keys written as JSON in state), and
   * each closed round is passed to {@code fn}. May be set once.
   *
   * @param keyFn the key of an event; a null key follows the error policy
   * @param fn called once per closed round
   * @param <K> key type
   * @return this
   * @throws ConfigurationException when an aggregation was set already
   */
  public <K> StatefulProcessor<T, R> aggregate(Function<? super T, ? extends K> keyFn, Aggregation<K, T, R> fn) {
    return aggregate(keyFn, null, fn);
  }

  /**
   * @param keyFn the key of an event
   * @param keySerde how keys are written in state (exact key types); null for JSON
   * @param fn called once per closed round
   * @param <K> key type
   * @return this
   * @throws ConfigurationException when an aggregation was set already
   */
  public <K> StatefulProcessor<T, R> aggregate(Function<? super T, ? extends K> keyFn, Serde<K> keySerde,
      Aggregation<K, T, R> fn) {
    Objects.requireNonNull(keyFn, "keyFn");
    Objects.requireNonNull(fn, "fn");
    checkNotSet();
    aggregation = input -> {
      KeyedStream<K, T> keyed = keySerde == null ? input.keyBy(keyFn) : input.keyBy(keyFn, keySerde);
      return keyed.process(new RoundProcessor<>(fn, keyed.keySerde(), eventSerde, stateTtl, flushInterval, maxEvents),
          Op.named(name));
    };
    return this;
  }

  /**
   * Sets the aggregation to sessions (the tutorial's {@code @processor.sessionize(session_timeout=1800,
   * key_func=..)}): per key, events are grouped into sessions that more than {@code timeout} of
   * inactivity (event time) closes; exactly {@code timeout} continues a session
   * ({@link io.nip.window.SessionWindow#withInactivityGap}). When the watermark passes a session's
   * last event + {@code timeout}, {@code fn} gets its events and its id, and its result is emitted.
   * Sessions live in the pipeline's state backend (operator {@code <name>}), bounded per session by
   * {@link #maxEventsPerSession(int)}. May be set once, instead of {@link #aggregate}.
   *
   * <p>With {@link #allowedLateness(Duration)}, an event that arrives after its session closed but
   * within the lateness of the close updates the session (merging sessions it bridges) and the
   * result is emitted again, {@link SessionEvents#isUpdate() marked as an update}, under the same
   * session id; a merged session keeps the id of its earliest start and
   * {@link SessionEvents#supersededIds()} names the ids it replaces. A consumer keeps the latest
   * result per session id and drops superseded ids. Later events go to {@link #lateEvents(Sink)}.
   *
   * <pre>{@code
   * StatefulProcessor.<UserEvent, Summary>named("sessions").eventType(UserEvent.class)
   *     .sessionize(Duration.ofMinutes(30), UserEvent::userId, (user, events, id) -> Summary.of(user, events, id));
   * }</pre>
   *
   * @param timeout the longest inactivity within a session, from 1 ms to 365 days
   * @param keyFn the key of an event; keys are written as JSON in state and in session ids
   * @param fn called once per session result
   * @param <K> key type
   * @return this
   * @throws ConfigurationException when an aggregation was set already or the timeout is out of range
   */
  public <K> StatefulProcessor<T, R> sessionize(Duration timeout, Function<? super T, ? extends K> keyFn,
      SessionFunction<K, T, R> fn) {
    return sessionize(timeout, keyFn, null, fn);
  }

  /**
   * @param timeout the longest inactivity within a session, from 1 ms to 365 days
   * @param keyFn the key of an event
   * @param keySerde how keys are written in state and session ids; null for JSON
   * @param fn called once per session result
   * @param <K> key type
   * @return this
   * @throws ConfigurationException when an aggregation was set already or the timeout is out of range
   */
  public <K> StatefulProcessor<T, R> sessionize(Duration timeout, Function<? super T, ? extends K> keyFn,
      Serde<K> keySerde, SessionFunction<K, T, R> fn) {
    Duration gap = positive("sessionize timeout", timeout, MAX_SESSION_TIMEOUT);
    if (gap.toMillis() < 1) {
      throw ConfigurationException.invalid("StatefulProcessor '" + name + "' sessionize timeout", gap,
          "must be at least 1 ms");
    }
    Objects.requireNonNull(keyFn, "keyFn");
    Objects.requireNonNull(fn, "fn");
    checkNotSet();
    Sessionizer<K, T, R> sessions = new Sessionizer<>(name, keyFn, keySerde, fn);
    aggregation = input -> sessions.apply(input, new Sessionizer.Settings<>(gap, allowedLateness,
        maxEventsPerSession, eventSerde, lateSink));
    return this;
  }

  /**
   * How long after a session closed a late event still updates it ({@link #sessionize} only).
   *
   * @param lateness zero (the default) to 365 days
   * @return this
   */
  public StatefulProcessor<T, R> allowedLateness(Duration lateness) {
    Objects.requireNonNull(lateness, "allowedLateness");
    if (lateness.isNegative() || lateness.compareTo(MAX_SESSION_TIMEOUT) > 0) {
      throw ConfigurationException.invalid("StatefulProcessor '" + name + "' allowedLateness", lateness,
          "must be between zero and " + MAX_SESSION_TIMEOUT);
    }
    this.allowedLateness = lateness;
    return this;
  }

  /**
   * The most events a session keeps for {@link #sessionize}'s function. Past it, the session keeps
   * its earliest {@code n - 1} events and its latest one, counts the rest in
   * {@link SessionEvents#droppedEvents()} and the metric {@code nip.session.dropped.events}, and
   * is still emitted.
   *
   * @param n 2 to 1,000,000 (default {@value #DEFAULT_MAX_EVENTS_PER_SESSION})
   * @return this
   */
  public StatefulProcessor<T, R> maxEventsPerSession(int n) {
    if (n < 2 || n > MAX_EVENTS_LIMIT) {
      throw ConfigurationException.invalid("StatefulProcessor '" + name + "' maxEventsPerSession", n,
          "must be between 2 and " + MAX_EVENTS_LIMIT);
    }
    this.maxEventsPerSession = n;
    return this;
  }

  /**
   * Where {@link #sessionize} sends events that came too late for their session, each with a
   * reason. Without it they are counted in {@code nip.window.late.events} and dropped with a
   * rate-limited warning.
   *
   * @param sink the sink; its name must be unique within the pipeline
   * @return this
   */
  public StatefulProcessor<T, R> lateEvents(Sink<? super LateEvent<T>> sink) {
    this.lateSink = Objects.requireNonNull(sink, "lateEvents");
    return this;
  }

  /**
   * Adds a sink for the results.
   *
   * @param sink the sink; its name must be unique within the pipeline
   * @return this
   */
  public StatefulProcessor<T, R> sink(Sink<? super R> sink) {
    sinks.add(Objects.requireNonNull(sink, "sink"));
    return this;
  }

  /**
   * Adds a callback sink named {@code <name>.sink-N}; with several keyed tasks it is called
   * concurrently and must be thread-safe.
   *
   * @param action called once per result
   * @return this
   */
  public StatefulProcessor<T, R> sink(Consumer<? super R> action) {
    Objects.requireNonNull(action, "action");
    return sink(Sinks.<R>forEach(name + ".sink-" + (sinks.size() + 1), action));
  }

  /** @return the backend chosen with {@code stateStore}, or empty for the pipeline's own */
  public Optional<StateBackend> stateBackend() {
    return Optional.ofNullable(backend);
  }

  /**
   * Adds the keyed round operator (named after this processor) to a stream, e.g. one under a
   * {@code PipelineTestDriver}, and writes its results to the sinks added so far. Its state lives
   * in the backend of the stream's pipeline.
   *
   * @param input the events
   * @return the results, for further operators
   * @throws ConfigurationException when no aggregation or event type was given
   */
  public Stream<R> applyTo(Stream<T> input) {
    Objects.requireNonNull(input, "input");
    checkAggregation();
    Stream<R> out = aggregation.apply(input);
    for (Sink<? super R> sink : sinks) {
      out.to(sink);
    }
    return out;
  }

  @Override
  void build(Stream<T> input) {
    applyTo(input);
  }

  @Override
  PipelineConfig configure(PipelineConfig config) {
    if (backend == null || config.stateBackend() == backend) {
      return config;
    }
    if (config.stateBackend() != StateBackend.inMemory()) {
      throw ConfigurationException.invalid("StatefulProcessor '" + name + "' stateStore", "'" + backend.name() + "'",
          "conflicts with the configuration's state backend '" + config.stateBackend().name() + "'; choose one");
    }
    return config.toBuilder().stateBackend(backend).build();
  }

  @Override
  void checkComplete() {
    checkAggregation();
    if (sinks.isEmpty()) {
      throw new ConfigurationException("StatefulProcessor '" + name + "' sink",
          "no sink was added; call sink(..) before starting");
    }
  }

  private void checkNotSet() {
    if (aggregation != null) {
      throw new ConfigurationException("StatefulProcessor '" + name + "' aggregate",
          "may be set once (aggregate or sessionize), and is already set");
    }
  }

  private void checkAggregation() {
    if (aggregation == null) {
      throw new ConfigurationException("StatefulProcessor '" + name + "' aggregate",
          "no aggregation was set; call aggregate(keyFn, (key, events, state) -> ..) or "
              + "sessionize(timeout, keyFn, (key, sessionEvents, sessionId) -> ..) first");
    }
    if (eventSerde == null) {
      throw new ConfigurationException("StatefulProcessor '" + name + "' eventType",
          "the events of an open round or session are kept in keyed state and need a serde; call eventType(MyEvent.class) "
              + "or eventSerde(..)");
    }
  }

  private Duration positive(String setting, Duration d, Duration max) {
    Objects.requireNonNull(d, setting);
    if (d.isZero() || d.isNegative() || d.compareTo(max) > 0) {
      throw ConfigurationException.invalid("StatefulProcessor '" + name + "' " + setting, d,
          "must be positive and at most " + max);
    }
    return d;
  }

  @Override
  public String toString() {
    return "StatefulProcessor(" + name + ", state " + (backend == null ? "of the pipeline" : backend.name())
        + (stateTtl == null ? "" : ", ttl " + stateTtl) + ", rounds of at most " + maxEvents + " events or "
        + flushInterval + ")";
  }
}
