package io.nip.window;

import io.nip.errors.ConfigurationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Several named aggregates over the same window, combined into one result that sees the key, the
 * window bounds and every aggregate by name. All aggregates are incremental.
 *
 * <pre>{@code
 * WindowAggregator<UserEvent, Map<String, Object>> agg = WindowAggregator.<UserEvent>create()
 *     .aggregate("count", Aggregates.count()).aggregate("revenue", Aggregates.sum(UserEvent::amount))
 *     .combined((key, start, end, a) -> Map.of("user_id", key, "count", a.get("count")));
 * keyed.window(TumblingWindow.of(Duration.ofMinutes(1))).aggregate(agg);
 * }</pre>
 *
 * @param <T> event type
 * @param <R> combined result type
 */
public final class WindowAggregator<T, R> {
  /**
   * Builds the combined result.
   *
   * @param <R> result type
   */
  @FunctionalInterface
  public interface Combiner<R> {
    /**
     * @param key the window's key
     * @param windowStart inclusive start
     * @param windowEnd exclusive end
     * @param aggregates each aggregate's result by name, in declaration order
     * @return the combined result
     */
    R combine(Object key, Instant windowStart, Instant windowEnd, Map<String, Object> aggregates);
  }

  private final List<String> names;
  private final List<Aggregate<? super T, ?, ?>> aggregates;
  private final Combiner<R> combiner;

  private WindowAggregator(List<String> names, List<Aggregate<? super T, ?, ?>> aggregates, Combiner<R> combiner) {
    this.names = names;
    this.aggregates = aggregates;
    this.combiner = combiner;
  }

  /**
   * @param <T> event type
   * @return an aggregator with no aggregates yet, whose result is the map of aggregates
   */
  public static <T> WindowAggregator<T, Map<String, Object>> create() {
    return new WindowAggregator<>(List.of(), List.of(), (k, s, e, a) -> a);
  }

  /**
   * @param name unique name of the aggregate
   * @param aggregate the aggregate
   * @return a copy with the aggregate added
   */
  public WindowAggregator<T, R> aggregate(String name, Aggregate<? super T, ?, ?> aggregate) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(aggregate, "aggregate");
    if (names.contains(name)) {
      throw ConfigurationException.invalid("aggregate name", "'" + name + "'", "must be unique");
    }
    List<String> n = new ArrayList<>(names);
    n.add(name);
    List<Aggregate<? super T, ?, ?>> a = new ArrayList<>(aggregates);
    a.add(aggregate);
    return new WindowAggregator<T, R>(List.copyOf(n), Collections.unmodifiableList(a), combiner);
  }

  /**
   * @param combiner builds the result from key, window and named aggregates
   * @param <R2> result type
   * @return a copy with that combiner
   */
  public <R2> WindowAggregator<T, R2> combined(Combiner<R2> combiner) {
    return new WindowAggregator<>(names, aggregates, Objects.requireNonNull(combiner, "combiner"));
  }

  /** @return the aggregate names in order */
  public List<String> names() {
    return names;
  }

  /**
   * Applies the combiner.
   *
   * @param key the key
   * @param start window start
   * @param end window end
   * @param results the aggregates' results by name
   * @return the combined result
   */
  public R combine(Object key, Instant start, Instant end, Map<String, Object> results) {
    return combiner.combine(key, start, end, results);
  }

  /**
   * @return all named aggregates as one aggregate whose result is the name-to-result map; it has an
   *     accumulator serde when every named aggregate has one
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Aggregate<T, Object[], Map<String, Object>> asAggregate() {
    if (aggregates.isEmpty()) {
      throw new ConfigurationException("WindowAggregator", "add at least one aggregate");
    }
    Aggregate[] aggs = aggregates.toArray(new Aggregate[0]);
    return new Aggregate<>() {
      @Override
      public Object[] createAccumulator() {
        Object[] acc = new Object[aggs.length];
        for (int i = 0; i < aggs.length; i++) {
          acc[i] = aggs[i].createAccumulator();
        }
        return acc;
      }

      @Override
      public Object[] add(Object[] acc, T value) {
        for (int i = 0; i < aggs.length; i++) {
          acc[i] = aggs[i].add(acc[i], value);
        }
        return acc;
      }

      @Override
      public Object[] merge(Object[] a, Object[] b) {
        for (int i = 0; i < aggs.length; i++) {
          a[i] = aggs[i].merge(a[i], b[i]);
        }
        return a;
      }

      @Override
      public io.nip.serde.Serde<Object[]> accumulatorSerde() {
        io.nip.serde.Serde<?>[] parts = new io.nip.serde.Serde<?>[aggs.length];
        for (int i = 0; i < aggs.length; i++) {
          parts[i] = aggs[i].accumulatorSerde();
          if (parts[i] == null) {
            return null;
          }
        }
        return io.nip.window.internal.AccumulatorSerdes.composite(parts);
      }

      @Override
      public Map<String, Object> result(Object[] acc) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < aggs.length; i++) {
          out.put(names.get(i), aggs[i].result(acc[i]));
        }
        return out;
      }
    };
  }
}
