package io.nip.pipeline;

import io.nip.errors.ConfigurationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Named conditions for {@link Stream#route}. A record goes to the first route whose condition
 * holds ({@link #firstMatch()}) or to every route whose condition holds ({@link #allMatches()});
 * records that match none go to the default route, which always exists.
 *
 * <pre>{@code
 * RoutedStreams<UserEvent> r = events.route(Routes.<UserEvent>firstMatch()
 *     .when("purchase", e -> e.eventType().equals("purchase"))
 *     .when("signup", e -> e.eventType().equals("signup")));
 * r.get("purchase").to(purchases);  r.defaultRoute().to(others);
 * }</pre>
 *
 * @param <T> the value type
 */
public final class Routes<T> {
  /** The name of the default route. */
  public static final String DEFAULT = "default";

  private final boolean firstMatch;
  private final List<String> names = new ArrayList<>();
  private final List<Predicate<? super T>> conditions = new ArrayList<>();

  private Routes(boolean firstMatch) {
    this.firstMatch = firstMatch;
  }

  /**
   * @param <T> value type
   * @return routes where a record takes the first matching route only
   */
  public static <T> Routes<T> firstMatch() {
    return new Routes<>(true);
  }

  /**
   * @param <T> value type
   * @return routes where a record takes every matching route
   */
  public static <T> Routes<T> allMatches() {
    return new Routes<>(false);
  }

  /**
   * @param name route name, unique, not "default"
   * @param condition which records take this route
   * @return this
   */
  public Routes<T> when(String name, Predicate<? super T> condition) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(condition, "condition");
    if (name.equals(DEFAULT) || names.contains(name)) {
      throw ConfigurationException.invalid("route name", "'" + name + "'", "must be unique and not 'default'");
    }
    names.add(name);
    conditions.add(condition);
    return this;
  }

  /** @return whether a record stops at the first matching route */
  public boolean isFirstMatch() {
    return firstMatch;
  }

  /** @return the route names in order, without the default */
  public List<String> names() {
    return Collections.unmodifiableList(names);
  }

  /** @return the conditions in the order of {@link #names()} */
  public List<Predicate<? super T>> conditions() {
    return Collections.unmodifiableList(conditions);
  }

  Set<String> allNames() {
    Set<String> all = new LinkedHashSet<>(names);
    all.add(DEFAULT);
    return all;
  }
}
