package io.nip.examples;

import io.nip.event.GenericEvent;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import io.nip.source.GeneratorSpec;
import io.nip.source.Source;
import io.nip.source.Sources;
import io.nip.streaming.StreamRouter;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The tutorial's "Pattern 2: Split and Route" with {@link StreamRouter}: purchases and signups to
 * their own handlers, everything else to the default handler. Each event takes the first route
 * that matches.
 *
 * <pre>{@code
 * StreamRouter<UserEvent> r = SplitAndRoute.router(this::handlePurchase, this::handleSignup, this::handleDefault);
 * r.start(Sources.jsonLines("user-events", path, UserEvent.class)).awaitTermination();
 * }</pre>
 */
public final class SplitAndRoute {
  /** The router's name, as in the tutorial. */
  public static final String NAME = "event_router";
  /** Route of purchase events. */
  public static final String PURCHASE = "purchase";
  /** Route of signup events. */
  public static final String SIGNUP = "signup";

  private SplitAndRoute() {}

  /**
   * @param handlePurchase called for each purchase
   * @param handleSignup called for each signup
   * @param handleDefault called for every other event
   * @return the tutorial's router; handler sinks are named {@code event_router.purchase},
   *     {@code event_router.signup} and {@code event_router.default}. With several partitions the
   *     handlers are called concurrently and must be thread-safe.
   */
  public static StreamRouter<UserEvent> router(Consumer<? super UserEvent> handlePurchase,
      Consumer<? super UserEvent> handleSignup, Consumer<? super UserEvent> handleDefault) {
    return StreamRouter.<UserEvent>named(NAME)
        .route(PURCHASE, e -> PURCHASE.equals(e.eventType()), handlePurchase)
        .route(SIGNUP, e -> SIGNUP.equals(e.eventType()), handleSignup)
        .defaultRoute(handleDefault);
  }

  /**
   * The router over synthetic events (converted with {@link UserEvent#fromGeneric}).
   *
   * @param source generator events
   * @param router the router to apply
   * @return the pipeline, not started
   */
  public static Pipeline pipeline(Source<GenericEvent> source, StreamRouter<UserEvent> router) {
    Pipeline p = Pipeline.named(NAME);
    router.applyTo(p.from(source).map(UserEvent::fromGeneric, Op.named("to-user-event")));
    return p;
  }

  /**
   * Routes generated events and prints the count per route.
   *
   * @param args optional: number of events (default 100,000)
   */
  public static void main(String[] args) {
    long events = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
    LongAdder purchases = new LongAdder();
    LongAdder signups = new LongAdder();
    LongAdder others = new LongAdder();
    StreamRouter<UserEvent> router = router(e -> purchases.increment(), e -> signups.increment(),
        e -> others.increment());
    Source<GenericEvent> source = Sources.generator("user-events", GeneratorSpec.builder().events(events).build());
    try (PipelineHandle h = pipeline(source, router).start()) {
      h.awaitTermination();
    }
    System.out.printf("purchase=%d signup=%d default=%d%n", purchases.sum(), signups.sum(), others.sum());
  }
}
