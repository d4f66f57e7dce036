package io.nip.streaming;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import io.nip.errors.NipException;
import io.nip.pipeline.Op;
import io.nip.pipeline.Stream;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The tutorial's exactly-once strategy 1, idempotent operations: events whose id was already seen
 * are dropped, and what remains goes to operations that are idempotent themselves (an upsert keyed
 * by the id, e.g. nip-jdbc's {@code IdempotentWrites}). It is a recipe for
 * {@code keyBy(id).process(..)} with a TTL'd keyed state store, not an engine of its own.
 *
 * <pre>{@code
 * IdempotentProcessor<UserEvent> processor = IdempotentProcessor.<UserEvent>named("idempotent_processor")
 *     .idKey(UserEvent::eventId)
 *     .idempotentOperation(IdempotentWrites.upsertJson(dataSource, "events", UserEvent::eventId));
 * PipelineHandle h = processor.start(source, PipelineConfig.builder().checkpointStorage(storage).build());
 * }</pre>
 *
 * <h2>The seen-set</h2>
 * The stream is keyed by the id (as a {@code String}) and the keyed operator named after this
 * processor keeps one entry per accepted id in its store {@value #SEEN_STORE}: the pipeline-clock
 * time of its first acceptance. The first event with an id passes, every later one with the same id
 * within {@link #seenTtl(Duration) seenTtl} (default {@link #DEFAULT_SEEN_TTL}) of that first
 * acceptance is dropped and counted in the Micrometer counter
 * {@code nip.idempotent.duplicates{pipeline,operator}} of the pipeline's meter registry. A
 * duplicate does not extend its id's life: an id is remembered exactly {@code seenTtl} after it was
 * first accepted, then the same id passes again.
 *
 * <p><b>Bound:</b> the store holds one small entry per distinct id accepted within the last
 * {@code seenTtl} (expired entries read as absent at once and are purged about every second of
 * processing time), spread over the keyed tasks. At 1,000 distinct ids per second and the default
 * day that is 86.4 million entries: choose the TTL for the longest redelivery you must catch, and a
 * durable backend (RocksDB) for large sets.
 *
 * <h2>Durability</h2>
 * The seen-set is ordinary keyed state: a checkpoint holds it, a restored or restarted pipeline
 * gets it back (each entry with its original expiry), with every backend and checkpoint storage. So
 * an id seen before a restart is still dropped after it. What the seen-set cannot do is undo work
 * after the last checkpoint: a crash replays the events read since, and their operations run again.
 * That is why the operations must be idempotent (an upsert), as in the tutorial; the seen-set
 * removes the duplicates in the input itself (producer retries, redelivered messages).
 *
 * <h2>Events without an id</h2>
 * An event whose {@link #idKey id} is null or the empty string cannot be deduplicated; it is bad
 * input and follows the error policy of the check operator {@code <name>.id-check}: the pipeline's
 * policy, or the one given with {@link #onMissingId(ErrorPolicy)}. With {@code DEAD_LETTER} the
 * dead letter names that operator and the reason; with the default {@code SKIP} it is counted in
 * {@code nip.errors{outcome=skipped}} and logged. It is never passed on without dedup.
 *
 * <p>Not thread-safe while being configured; apply a processor at most once per pipeline (its
 * operators are named after it).
 *
 * @param <T> the event type
 */
public final class IdempotentProcessor<T> extends SourceFacade<T> {
  /** The default {@link #seenTtl(Duration)}: one day. */
  public static final Duration DEFAULT_SEEN_TTL = Duration.ofDays(1);
  /** The name of the keyed store that holds the seen ids (for {@code PipelineTestDriver.state}). */
  public static final String SEEN_STORE = DedupProcessor.SEEN;
  private static final Duration MAX_SEEN_TTL = Duration.ofDays(3_650);

  private final List<Sink<? super T>> sinks = new ArrayList<>();
  private Function<? super T, String> idFn;
  private Duration seenTtl = DEFAULT_SEEN_TTL;
  private ErrorPolicy missingIdPolicy;

  private IdempotentProcessor(String name) {
    super(name);
  }

  /**
   * Starts a processor definition; give the id next.
   *
   * <pre>{@code
   * IdempotentProcessor<UserEvent> p = IdempotentProcessor.<UserEvent>named("idempotent_processor")
   *     .idKey(UserEvent::eventId);
   * }</pre>
   *
   * @param name letters, digits, '-', '_', '.'; the name of its keyed operator (where the seen-set
   *     lives) and of the pipeline {@link #start} builds
   * @param <T> the event type
   * @return a processor without id
   * @throws ConfigurationException when the name is invalid
   */
  public static <T> IdempotentProcessor<T> named(String name) {
    return new IdempotentProcessor<>(FacadeNames.check("IdempotentProcessor name", name));
  }

  /** @return the processor's name */
  public String name() {
    return name;
  }

  /**
   * The tutorial's {@code id_key}: the unique id of an event, e.g. {@code UserEvent::eventId}.
   * Required; may be set once.
   *
   * @param idFn the id of an event; null or empty means "no id" (see the class comment)
   * @return this
   * @throws ConfigurationException when an id was set already
   */
  public IdempotentProcessor<T> idKey(Function<? super T, String> idFn) {
    Objects.requireNonNull(idFn, "idKey");
    if (this.idFn != null) {
      throw new ConfigurationException("IdempotentProcessor '" + name + "' idKey", "may be set once, and is already set");
    }
    this.idFn = idFn;
    return this;
  }

  /**
   * How long an accepted id is remembered, from its first acceptance, on the pipeline clock.
   *
   * @param ttl from 1 ms to 3,650 days; default one day
   * @return this
   * @throws ConfigurationException when out of range
   */
  public IdempotentProcessor<T> seenTtl(Duration ttl) {
    Objects.requireNonNull(ttl, "seenTtl");
    if (ttl.toMillis() < 1 || ttl.compareTo(MAX_SEEN_TTL) > 0) {
      throw ConfigurationException.invalid("IdempotentProcessor '" + name + "' seenTtl", ttl,
          "must be between 1 ms and " + MAX_SEEN_TTL);
    }
    this.seenTtl = ttl;
    return this;
  }

  /** @return how long an accepted id is remembered */
  public Duration seenTtl() {
    return seenTtl;
  }

  /**
   * The policy for events without an id, instead of the pipeline's, e.g.
   * {@code ErrorPolicy.deadLetter(dlq)}.
   *
   * @param policy the policy of the {@code <name>.id-check} operator
   * @return this
   */
  public IdempotentProcessor<T> onMissingId(ErrorPolicy policy) {
    this.missingIdPolicy = Objects.requireNonNull(policy, "onMissingId");
    return this;
  }

  /**
   * The tutorial's {@code @processor.idempotent_operation}: {@code operation} runs once per
   * accepted (first-seen) event, as a sink named {@code <name>.operation-N}. It must be idempotent
   * itself (an upsert keyed by the id): after a crash the events since the last checkpoint are
   * processed again. With several keyed tasks it is called concurrently and must be thread-safe;
   * an exception follows the pipeline's error policy for sinks.
   *
   * @param operation e.g. nip-jdbc's {@code IdempotentWrites.upsertJson(dataSource, "events", UserEvent::eventId)}
   * @return this
   */
  public IdempotentProcessor<T> idempotentOperation(Consumer<? super T> operation) {
    Objects.requireNonNull(operation, "operation");
    return sink(Sinks.<T>forEach(name + ".operation-" + (sinks.size() + 1), operation));
  }

  /**
   * Adds a sink for the accepted events.
   *
   * @param sink the sink; its name must be unique within the pipeline
   * @return this
   */
  public IdempotentProcessor<T> sink(Sink<? super T> sink) {
    sinks.add(Objects.requireNonNull(sink, "sink"));
    return this;
  }

  /**
   * Adds the id check and the keyed dedup operator (named after this processor) to a stream, e.g.
   * one under a {@code PipelineTestDriver}, and writes the accepted events to the operations and
   * sinks added so far. The seen-set lives in the state backend of the stream's pipeline.
   *
   * @param input the events
   * @return the accepted events (each id once within the TTL), with their timestamps and headers
   * @throws ConfigurationException when no id was given
   */
  public Stream<T> applyTo(Stream<T> input) {
    Objects.requireNonNull(input, "input");
    checkId();
    Function<? super T, String> id = idFn;
    String processor = name;
    Op check = Op.named(name + ".id-check");
    Stream<T> out = input
        .filter(e -> hasId(processor, id.apply(e)), missingIdPolicy == null ? check : check.onError(missingIdPolicy))
        .keyBy(id, Serdes.string())
        .process(new DedupProcessor<T>(seenTtl), Op.named(name));
    for (Sink<? super T> sink : sinks) {
      out.to(sink);
    }
    return out;
  }

  private static boolean hasId(String processor, String id) {
    if (id == null || id.isEmpty()) {
      throw new NipException("IdempotentProcessor '" + processor + "': the event has no id (idKey gave "
          + (id == null ? "null" : "an empty string") + "), so it cannot be deduplicated");
    }
    return true;
  }

  @Override
  void build(Stream<T> input) {
    applyTo(input);
  }

  @Override
  void checkComplete() {
    checkId();
    if (sinks.isEmpty()) {
      throw new ConfigurationException("IdempotentProcessor '" + name + "' idempotentOperation",
          "no operation or sink was added; call idempotentOperation(..) or sink(..) before starting");
    }
  }

  private void checkId() {
    if (idFn == null) {
      throw new ConfigurationException("IdempotentProcessor '" + name + "' idKey",
          "no id was set; call idKey(MyEvent::eventId) first");
    }
  }

  @Override
  public String toString() {
    return "IdempotentProcessor(" + name + ", ids remembered " + seenTtl + ", " + sinks.size() + " sinks)";
  }
}
