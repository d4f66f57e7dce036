package io.nip.streaming;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Op;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.RoutedStreams;
import io.nip.pipeline.Routes;
import io.nip.pipeline.Stream;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The tutorial's split-and-route facade: each record goes to the handler of the first route whose
 * condition holds, in the order the routes were added, or else to the default handler. It is a
 * recipe for one {@link Stream#route} operator ({@link Routes#firstMatch()}) named after the router,
 * with one sink per handled route; handlers given as callbacks become sinks named
 * {@code <router>.<route>}.
 *
 * <pre>{@code
 * StreamRouter<UserEvent> router = StreamRouter.<UserEvent>named("event_router")
 *     .route("purchase", e -> e.eventType().equals("purchase"), purchases::handle)
 *     .route("signup", e -> e.eventType().equals("signup"), signups::handle)
 *     .defaultRoute(e -> log.debug("generic event {}", e.eventType()));
 * PipelineHandle h = router.start(source);
 * }</pre>
 *
 * <p>Records that match no route are dropped when no default handler was given. Not thread-safe
 * while being configured; apply a router at most once per pipeline.
 *
 * <p>Records need an event time, as everywhere in NIP: an {@code Event} carries its own, other
 * types take the source's timestamp. For plain values without either, build the stream yourself
 * with {@code pipeline.from(source, WatermarkStrategy.processingTime())} and call {@link #applyTo}.
 *
 * @param <T> the type of the records routed
 */
public final class StreamRouter<T> extends SourceFacade<T> {
  private final Routes<T> routes = Routes.firstMatch();
  private final List<Sink<? super T>> handlers = new ArrayList<>();
  private Sink<? super T> defaultHandler;

  private StreamRouter(String name) {
    super(name);
  }

  /**
   * Starts a router definition.
   *
   * <pre>{@code
   * StreamRouter<UserEvent> r = StreamRouter.named("event_router");
   * r.route(e -> e.eventType().equals("purchase"), this::handlePurchase).defaultRoute(this::other);
   * }</pre>
   *
   * @param name the router's name: letters, digits, '-', '_', '.'; also the name of its route
   *     operator and of the pipeline {@link #start} builds
   * @param <T> the record type
   * @return a router without routes
   */
  public static <T> StreamRouter<T> named(String name) {
    return new StreamRouter<>(FacadeNames.check("StreamRouter name", name));
  }

  /** @return the router's name */
  public String name() {
    return name;
  }

  /** @return the route names in order, without the default */
  public List<String> routeNames() {
    return routes.names();
  }

  /**
   * Adds a route named {@code route-N} (N counts from 1 in the order routes are added).
   *
   * @param condition which records take this route, unless an earlier route took them
   * @param handler called once per record of this route; must be thread-safe when the pipeline
   *     runs several tasks
   * @return this
   */
  public StreamRouter<T> route(Predicate<? super T> condition, Consumer<? super T> handler) {
    return route(nextRouteName(), condition, handler);
  }

  /**
   * Adds a route named {@code route-N} whose records go to a sink.
   *
   * @param condition which records take this route, unless an earlier route took them
   * @param sink where the route's records go; its name must be unique within the pipeline
   * @return this
   */
  public StreamRouter<T> route(Predicate<? super T> condition, Sink<? super T> sink) {
    return route(nextRouteName(), condition, sink);
  }

  /**
   * Adds a named route handled by a callback sink named {@code <router>.<route>}.
   *
   * @param route the route's name, unique, not {@code "default"}
   * @param condition which records take this route, unless an earlier route took them
   * @param handler called once per record of this route
   * @return this
   */
  public StreamRouter<T> route(String route, Predicate<? super T> condition, Consumer<? super T> handler) {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(handler, "handler");
    return route(route, condition, Sinks.<T>forEach(name + "." + route, handler));
  }

  /**
   * Adds a named route whose records go to a sink.
   *
   * @param route the route's name, unique, not {@code "default"}
   * @param condition which records take this route, unless an earlier route took them
   * @param sink where the route's records go
   * @return this
   */
  public StreamRouter<T> route(String route, Predicate<? super T> condition, Sink<? super T> sink) {
    Objects.requireNonNull(sink, "sink");
    routes.when(route, condition);
    handlers.add(sink);
    return this;
  }

  /**
   * Handles records that match no route with a callback sink named {@code <router>.default}.
   *
   * @param handler called once per unmatched record
   * @return this
   * @throws ConfigurationException when a default handler was already set
   */
  public StreamRouter<T> defaultRoute(Consumer<? super T> handler) {
    Objects.requireNonNull(handler, "handler");
    return defaultRoute(Sinks.<T>forEach(name + "." + Routes.DEFAULT, handler));
  }

  /**
   * Sends records that match no route to a sink.
   *
   * @param sink where unmatched records go
   * @return this
   * @throws ConfigurationException when a default handler was already set
   */
  public StreamRouter<T> defaultRoute(Sink<? super T> sink) {
    Objects.requireNonNull(sink, "sink");
    if (defaultHandler != null) {
      throw ConfigurationException.invalid("StreamRouter '" + name + "' defaultRoute", sink.name(),
          "may be set once, and is already '" + defaultHandler.name() + "'");
    }
    defaultHandler = sink;
    return this;
  }

  /**
   * Adds the route operator to an existing stream, e.g. one under a {@code PipelineTestDriver},
   * and connects each route to its handler.
   *
   * @param input the stream to route
   * @return the routed streams, for further operators on a route
   */
  public RoutedStreams<T> applyTo(Stream<T> input) {
    Objects.requireNonNull(input, "input");
    RoutedStreams<T> out = input.route(routes, Op.named(name));
    List<String> names = routes.names();
    for (int i = 0; i < names.size(); i++) {
      out.get(names.get(i)).to(handlers.get(i));
    }
    if (defaultHandler != null) {
      out.defaultRoute().to(defaultHandler);
    }
    return out;
  }

  @Override
  void build(Stream<T> input) {
    applyTo(input);
  }

  @Override
  void checkComplete() {
    if (handlers.isEmpty() && defaultHandler == null) {
      throw new ConfigurationException("StreamRouter '" + name + "' route",
          "no route and no default route were added; call route(..) or defaultRoute(..) before starting");
    }
  }

  private String nextRouteName() {
    return "route-" + (handlers.size() + 1);
  }

  @Override
  public String toString() {
    return "StreamRouter(" + name + ", routes " + routes.names() + (defaultHandler == null ? "" : " + default") + ")";
  }
}
