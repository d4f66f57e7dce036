package io.nip.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.JoinWindow;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.Stream;
import io.nip.pipeline.Table;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Every join strategy against a brute-force model on random streams: three keys, both sides
 * interleaved at random, event times with disorder up to the watermarks' bound on both sides (so a
 * table update may arrive after an event that follows it in event time), equal times, table
 * tombstones. The pairs emitted must be exactly the model's, inner and left-outer.
 */
class JoinProperties {
  /** Both sides' bounded out-of-orderness, and the largest disorder generated. */
  private static final long BOUND = 5_000;
  private static final Serde<Ev> SERDE = Serdes.json(Ev.class);

  /** A record of either side; {@code value} is a table update's value (null: tombstone). */
  record Ev(boolean left, String key, String id, long t, String value) {}

  @Provide
  Arbitrary<List<Ev>> streams() {
    Arbitrary<long[]> step = Combinators.combine(Arbitraries.longs().between(0, 3_000),
        Arbitraries.longs().between(0, BOUND)).as((advance, jitter) -> new long[] {advance, jitter});
    Arbitrary<Object[]> raw = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of("a", "b", "c"), step,
        Arbitraries.of("v1", "v2", "v3", "v4", null)).as((left, key, s, value) -> new Object[] {left, key, s, value});
    return raw.list().ofMinSize(1).ofMaxSize(50).map(JoinProperties::timeline);
  }

  /** Event times advance at random; each record lags the front by up to {@link #BOUND}. */
  private static List<Ev> timeline(List<Object[]> raw) {
    List<Ev> out = new ArrayList<>();
    long front = 1_000_000;
    int n = 0;
    for (Object[] r : raw) {
      long[] s = (long[]) r[2];
      front += s[0];
      boolean left = (Boolean) r[0];
      out.add(new Ev(left, (String) r[1], (left ? "L" : "R") + n++, front - s[1], (String) r[3]));
    }
    return out;
  }

  @Property(tries = 300)
  void latest_joins_each_event_with_the_version_as_of_its_time(@ForAll("streams") List<Ev> input,
      @ForAll boolean leftOuter, @ForAll @LongRange(min = 0, max = 2 * BOUND) long retention, @ForAll boolean dsl) {
    List<String> got = run(input, (left, right) -> {
      Table<String, String> table = Table.from(right, Ev::key, Ev::value, Serdes.string(), Duration.ofMillis(retention));
      java.util.function.BiFunction<Ev, String, String> joiner = (l, v) -> l.id() + "|" + (v == null ? "-" : v);
      if (dsl) { // Stream.join / Stream.leftJoin
        return leftOuter ? left.leftJoin(table, Ev::key, SERDE, joiner, Op.named("join"))
            : left.join(table, Ev::key, SERDE, joiner, Op.named("join"));
      }
      Joins.Builder<String, Ev, String> b = Joins.left(left, Ev::key, SERDE).latest(table);
      return (leftOuter ? b.leftOuter() : b).apply(joiner, Op.named("join"));
    });
    List<String> expected = new ArrayList<>();
    for (Ev l : input) {
      if (!l.left()) {
        continue;
      }
      Ev version = null; // the latest update at or before the event's time; at equal times the later arrival
      for (Ev r : input) {
        if (!r.left() && r.key().equals(l.key()) && r.t() <= l.t() && (version == null || r.t() >= version.t())) {
          version = r;
        }
      }
      String value = version == null ? null : version.value();
      if (value != null || leftOuter) {
        expected.add(l.id() + "|" + (value == null ? "-" : value));
      }
    }
    assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Property(tries = 300)
  void window_joins_every_pair_within_the_bounds_once(@ForAll("streams") List<Ev> input, @ForAll boolean leftOuter,
      @ForAll @LongRange(min = 0, max = 6_000) long before, @ForAll @LongRange(min = 0, max = 6_000) long after,
      @ForAll boolean dsl) {
    List<String> got = run(input, (left, right) -> {
      JoinWindow window = JoinWindow.of(Duration.ofMillis(before), Duration.ofMillis(after));
      java.util.function.BiFunction<Ev, Ev, String> joiner = (l, r) -> l.id() + "|" + (r == null ? "-" : r.id());
      if (dsl) { // Stream.join / Stream.leftJoin
        return leftOuter ? left.leftJoin(right, Ev::key, Ev::key, window, SERDE, SERDE, joiner, Op.named("join"))
            : left.join(right, Ev::key, Ev::key, window, SERDE, SERDE, joiner, Op.named("join"));
      }
      Joins.Builder<String, Ev, Ev> b = Joins.left(left, Ev::key, SERDE).window(right, Ev::key, SERDE, window);
      return (leftOuter ? b.leftOuter() : b).apply(joiner, Op.named("join"));
    });
    assertThat(got).containsExactlyInAnyOrderElementsOf(pairs(input, before, after, leftOuter));
  }

  @Property(tries = 200)
  void all_joins_every_earlier_record_within_the_retention(@ForAll("streams") List<Ev> input,
      @ForAll boolean leftOuter, @ForAll @LongRange(min = 0, max = 8_000) long retention) {
    List<String> got = run(input, (left, right) -> {
      Joins.Builder<String, Ev, Ev> b = Joins.left(left, Ev::key, SERDE)
          .all(right, Ev::key, SERDE, Duration.ofMillis(retention));
      return (leftOuter ? b.leftOuter() : b).apply((l, r) -> l.id() + "|" + (r == null ? "-" : r.id()),
          Op.named("join"));
    });
    assertThat(got).containsExactlyInAnyOrderElementsOf(pairs(input, retention, 0, leftOuter));
  }

  /** The brute-force stream–stream join: right within [l.t - before, l.t + after]. */
  private static List<String> pairs(List<Ev> input, long before, long after, boolean leftOuter) {
    List<String> expected = new ArrayList<>();
    for (Ev l : input) {
      if (!l.left()) {
        continue;
      }
      boolean matched = false;
      for (Ev r : input) {
        if (!r.left() && r.key().equals(l.key()) && r.t() >= l.t() - before && r.t() <= l.t() + after) {
          expected.add(l.id() + "|" + r.id());
          matched = true;
        }
      }
      if (!matched && leftOuter) {
        expected.add(l.id() + "|-");
      }
    }
    return expected;
  }

  interface JoinUnderTest {
    Stream<String> build(Stream<Ev> left, Stream<Ev> right);
  }

  /** Runs the join over the input in its arrival order, then ends both inputs. */
  static List<String> run(List<Ev> input, JoinUnderTest join) {
    Pipeline p = Pipeline.named("join-property");
    WatermarkStrategy<Ev> wm = WatermarkStrategy.boundedOutOfOrderness(Duration.ofMillis(BOUND));
    Stream<Ev> left = p.from(Sources.<Ev>collection("left", List.of()), wm);
    Stream<Ev> right = p.from(Sources.<Ev>collection("right", List.of()), wm);
    CollectingSink<String> out = Sinks.collecting("out");
    join.build(left, right).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, Instant.EPOCH)) {
      for (Ev e : input) {
        driver.<Ev>input(e.left() ? "left" : "right").pipe(e, Instant.ofEpochMilli(e.t()));
      }
      driver.endAllInputs();
      return driver.output(out);
    }
  }
}
