package io.nip.examples;

import io.nip.event.GenericEvent;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Source;
import io.nip.source.Sources;
import io.nip.time.NipClock;
import java.util.Map;
import java.util.Objects;

/**
 * The tutorial's "Basic Event Consumer": read user events, enrich each with {@code processed_at}
 * and {@code processing_node}, emit them to {@code processed-events}. The tutorial reads from and
 * writes to Kafka ({@link KafkaEventConsumer}); here the synthetic generator stands in for the
 * {@code user-events} topic and any sink (stdout in {@link #main}) for {@code processed-events}.
 *
 * <pre>{@code
 * Pipeline p = BasicEventConsumer.pipeline(Sources.generator("user-events", spec), Sinks.stdout("processed-events"), NipClock.system());
 * p.start().awaitTermination();
 * }</pre>
 */
public final class BasicEventConsumer {
  /** The pipeline's name, as in the tutorial. */
  public static final String PIPELINE_NAME = "user_events_streaming";
  /** The source's name: the tutorial's input topic. */
  public static final String SOURCE_NAME = "user-events";
  /** The sink's name: the tutorial's output topic. */
  public static final String SINK_NAME = "processed-events";
  /** The value of {@code processing_node}. */
  public static final String NODE = "nip-worker-1";

  private BasicEventConsumer() {}

  /**
   * Builds the whole pipeline: generator events converted to {@link UserEvent}s, enriched, written.
   *
   * @param source generator events (name it {@link #SOURCE_NAME} to match the tutorial)
   * @param sink where processed events go
   * @param clock gives {@code processed_at}; a {@code ManualClock} in tests
   * @return the pipeline, not started
   */
  public static Pipeline pipeline(Source<GenericEvent> source, Sink<? super UserEvent> sink, NipClock clock) {
    Pipeline p = Pipeline.named(PIPELINE_NAME);
    consume(p.from(source).map(UserEvent::fromGeneric, Op.named("to-user-event")), clock).to(sink);
    return p;
  }

  /**
   * The consumer step on its own, for streams of user events from any source.
   *
   * @param events the incoming user events
   * @param clock gives {@code processed_at}
   * @return the enriched events
   */
  public static Stream<UserEvent> consume(Stream<UserEvent> events, NipClock clock) {
    Objects.requireNonNull(clock, "clock");
    return events.map(e -> enrich(e, clock), Op.named("process_user_event"));
  }

  /**
   * @param e an event
   * @param clock the time source
   * @return the event with {@code processed_at} (ISO-8601) and {@code processing_node} added
   */
  public static UserEvent enrich(UserEvent e, NipClock clock) {
    return e.withProperties(Map.of("processed_at", clock.instant().toString(), "processing_node", NODE));
  }

  /**
   * Runs the consumer over generated events and prints the processed events as JSON lines.
   *
   * @param args optional: number of events (default 20)
   */
  public static void main(String[] args) {
    long events = args.length > 0 ? Long.parseLong(args[0]) : 20;
    Source<GenericEvent> source = Sources.generator(SOURCE_NAME, GeneratorSpec.builder().events(events).build());
    try (PipelineHandle h = pipeline(source, Sinks.stdout(SINK_NAME), NipClock.system()).start()) {
      System.err.println("Event-driven NIP pipeline started");
      h.awaitTermination();
    }
  }
}
