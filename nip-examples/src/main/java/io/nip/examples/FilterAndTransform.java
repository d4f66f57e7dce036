package io.nip.examples;

import io.nip.event.GenericEvent;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.Sink;
import io.nip.source.GeneratorSpec;
import io.nip.source.Source;
import io.nip.source.Sources;
import io.nip.streaming.StreamProcessor;
import io.nip.time.NipClock;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tutorial's "Pattern 1: Filter and Transform" with {@link StreamProcessor}: keep
 * high-priority events ({@code priority >= 5}), mark them {@code enriched} with
 * {@code enriched_at}, save them.
 *
 * <pre>{@code
 * StreamProcessor<UserEvent> p = FilterAndTransform.processor(NipClock.system(), db::save);
 * p.start(Sources.jsonLines("user-events", path, UserEvent.class)).awaitTermination();
 * }</pre>
 */
public final class FilterAndTransform {
  /** The processor's name, as in the tutorial. */
  public static final String NAME = "filter_transform";
  /** Lowest priority kept. */
  public static final int MIN_PRIORITY = 5;

  private FilterAndTransform() {}

  /**
   * @param e an event
   * @return whether its {@code priority} property is at least {@value #MIN_PRIORITY}
   */
  public static boolean isHighPriority(UserEvent e) {
    return e.number("priority") >= MIN_PRIORITY;
  }

  /**
   * @param e an event
   * @param clock gives {@code enriched_at}
   * @return the event with {@code enriched=true} and {@code enriched_at}
   */
  public static UserEvent enrichEvent(UserEvent e, NipClock clock) {
    return e.withProperties(Map.of("enriched", true, "enriched_at", clock.instant().toString()));
  }

  /**
   * @param clock gives {@code enriched_at}
   * @param sink where kept events are saved
   * @return the tutorial's processor
   */
  public static StreamProcessor<UserEvent> processor(NipClock clock, Sink<? super UserEvent> sink) {
    return StreamProcessor.<UserEvent>named(NAME)
        .filter(FilterAndTransform::isHighPriority)
        .transform(e -> enrichEvent(e, clock))
        .sink(sink);
  }

  /**
   * The processor over synthetic events (converted with {@link UserEvent#fromGeneric}).
   *
   * @param source generator events
   * @param clock gives {@code enriched_at}
   * @param sink where kept events go
   * @return the pipeline, not started
   */
  public static Pipeline pipeline(Source<GenericEvent> source, NipClock clock, Sink<? super UserEvent> sink) {
    Pipeline p = Pipeline.named(NAME);
    processor(clock, sink).applyTo(p.from(source).map(UserEvent::fromGeneric, Op.named("to-user-event")));
    return p;
  }

  /**
   * Runs the processor over generated events and prints how many were saved.
   *
   * @param args optional: number of events (default 100,000)
   */
  public static void main(String[] args) {
    long events = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
    LongAdder saved = new LongAdder();
    Source<GenericEvent> source = Sources.generator("user-events", GeneratorSpec.builder().events(events).build());
    Sink<UserEvent> save = io.nip.sink.Sinks.forEach("save_to_database", e -> saved.increment());
    try (PipelineHandle h = pipeline(source, NipClock.system(), save).start()) {
      h.awaitTermination();
    }
    System.out.printf("%d of %d events had priority >= %d and were saved%n", saved.sum(), events, MIN_PRIORITY);
  }
}
