package io.nip.window;

import static io.nip.window.WindowTestSupport.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Pipeline;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.window.WindowTestSupport.Ev;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every window type and aggregate checked against a brute-force reference model on random streams:
 * random keys, timestamps with bounded disorder, and random forced watermark advances (which make
 * some later events late; the model decides lateness from the watermark at arrival).
 */
class WindowProperties {
  private static final long BOUND = 10_000;

  /** One step of a random stream: an event, or a forced watermark advance when key is null. */
  record Step(String key, long t, int v, String type) {}

  @Provide
  Arbitrary<List<Step>> streams() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.of("a", "b", "c", null, "a", "b"),
        Arbitraries.longs().between(0, 20_000),
        Arbitraries.longs().between(0, BOUND),
        Arbitraries.integers().between(0, 9),
        Arbitraries.of("click", "view", "buy")).as((k, step1, jitter, v, type) -> new Step(k, step1 * 1_000_000 + jitter, v, type));
    return step.list().ofMinSize(1).ofMaxSize(60);
  }

  private static List<Step> timeline(List<Step> raw, boolean forced) {
    List<Step> out = new ArrayList<>();
    long base = 0;
    for (Step s : raw) {
      long advance = s.t() / 1_000_000;
      long jitter = s.t() % 1_000_000;
      base += advance;
      if (s.key() == null) {
        if (forced) {
          out.add(new Step(null, base - jitter, 0, null));
        }
      } else {
        out.add(new Step(s.key(), Math.max(0, base - jitter), s.v(), s.type()));
      }
    }
    return out;
  }

  private record Agg(long count, double sum, long distinct, Double min, Double max, double avg, List<?> top) {}

  private Map<String, Agg> runPipeline(WindowAssigner assigner, List<Step> steps) {
    Pipeline p = Pipeline.named("prop");
    CollectingSink<WindowResult<String, Map<String, Object>>> out = Sinks.collecting("out");
    WindowAggregator<Ev, Map<String, Object>> agg = WindowAggregator.<Ev>create()
        .aggregate("count", Aggregates.count()).aggregate("sum", Aggregates.sum(Ev::v))
        .aggregate("distinct", Aggregates.countDistinct(Ev::type))
        .aggregate("min", Aggregates.min(Ev::v)).aggregate("max", Aggregates.max(Ev::v))
        .aggregate("avg", Aggregates.avg(Ev::v)).aggregate("top", Aggregates.topN(Ev::type, 2));
    WindowTestSupport.events(p, Duration.ofMillis(BOUND)).keyBy(Ev::key).window(assigner).aggregate(agg).to(out);
    Map<String, Agg> got = new TreeMap<>();
    for (WindowResult<String, Map<String, Object>> r : drive(p, out, steps)) {
      assertThat(r.firing()).isEqualTo(WindowResult.Firing.ON_TIME);
      String id = r.key() + "@" + r.start().toEpochMilli() + "-" + r.end().toEpochMilli();
      assertThat(got).doesNotContainKey(id);
      got.put(id, new Agg((Long) r.value().get("count"), (Double) r.value().get("sum"),
          (Long) r.value().get("distinct"), (Double) r.value().get("min"), (Double) r.value().get("max"),
          (Double) r.value().get("avg"), (List<?>) r.value().get("top")));
    }
    return got;
  }

  /** Plays the steps (events and forced watermarks) through the driver and returns what the sink got. */
  private static List<WindowResult<String, Map<String, Object>>> drive(Pipeline p,
      CollectingSink<WindowResult<String, Map<String, Object>>> out, List<Step> steps) {
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<Ev> in = d.input("in");
      for (Step s : steps) {
        if (s.key() == null) {
          in.advanceWatermark(at(s.t()));
        } else {
          in.pipe(new Ev(s.key(), s.t(), s.v(), s.type()));
        }
      }
      in.end();
      return d.output(out);
    }
  }

  /** Reference for tumbling and sliding: an event joins each of its windows whose end is after the watermark. */
  private static Map<String, Agg> fixedModel(long size, long slide, List<Step> steps) {
    return fixedModel(size, slide, 0, steps);
  }

  private static Map<String, Agg> fixedModel(long size, long slide, long offset, List<Step> steps) {
    Map<String, List<Step>> members = new TreeMap<>();
    long wm = Long.MIN_VALUE;
    long maxTs = Long.MIN_VALUE;
    for (Step s : steps) {
      if (s.key() == null) {
        wm = Math.max(wm, s.t());
        continue;
      }
      for (long start = Math.floorDiv(s.t() - offset, slide) * slide + offset; start > s.t() - size; start -= slide) {
        if (start + size > wm) {
          members.computeIfAbsent(s.key() + "@" + start + "-" + (start + size), k -> new ArrayList<>()).add(s);
        }
      }
      maxTs = Math.max(maxTs, s.t());
      wm = Math.max(wm, maxTs - BOUND);
    }
    return summarize(members);
  }

  /** Reference for sessions (no forced watermarks): sort each key's events and cut at gaps of at least {@code gap}. */
  private static Map<String, Agg> sessionModel(long gap, List<Step> steps) {
    Map<String, TreeSet<Long>> times = new TreeMap<>();
    Map<String, List<Step>> byKey = new TreeMap<>();
    for (Step s : steps) {
      byKey.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s);
      times.computeIfAbsent(s.key(), k -> new TreeSet<>()).add(s.t());
    }
    Map<String, List<Step>> members = new TreeMap<>();
    for (Map.Entry<String, List<Step>> e : byKey.entrySet()) {
      List<long[]> sessions = new ArrayList<>();
      for (long t : times.get(e.getKey())) {
        long[] last = sessions.isEmpty() ? null : sessions.get(sessions.size() - 1);
        if (last != null && t < last[1]) {
          last[1] = Math.max(last[1], t + gap);
        } else {
          sessions.add(new long[] {t, t + gap});
        }
      }
      for (Step s : e.getValue()) {
        for (long[] w : sessions) {
          if (s.t() >= w[0] && s.t() < w[1]) {
            members.computeIfAbsent(e.getKey() + "@" + w[0] + "-" + w[1], k -> new ArrayList<>()).add(s);
          }
        }
      }
    }
    return summarize(members);
  }

  private static Map<String, Agg> summarize(Map<String, List<Step>> members) {
    Map<String, Agg> out = new TreeMap<>();
    members.forEach((id, list) -> out.put(id, aggOf(list)));
    return out;
  }

  private static Agg aggOf(List<Step> list) {
    Set<String> types = new HashSet<>();
    Map<String, Long> typeCounts = new TreeMap<>();
    double sum = 0;
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (Step s : list) {
      types.add(s.type());
      typeCounts.merge(s.type(), 1L, Long::sum);
      sum += s.v();
      min = Math.min(min, s.v());
      max = Math.max(max, s.v());
    }
    List<Map.Entry<Object, Long>> top = new ArrayList<>();
    typeCounts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(2).forEach(e -> top.add(Map.entry(e.getKey(), e.getValue())));
    return new Agg(list.size(), sum, types.size(), min, max, sum / list.size(), top);
  }

  @Property(tries = 60)
  void tumbling_windows_match_the_reference(@ForAll("streams") List<Step> raw) {
    List<Step> steps = timeline(raw, true);
    assertThat(runPipeline(TumblingWindow.of(Duration.ofSeconds(30)), steps))
        .isEqualTo(fixedModel(30_000, 30_000, steps));
  }

  @Property(tries = 60)
  void sliding_windows_match_the_reference(@ForAll("streams") List<Step> raw) {
    List<Step> steps = timeline(raw, true);
    assertThat(runPipeline(SlidingWindow.of(Duration.ofSeconds(30), Duration.ofSeconds(10)), steps))
        .isEqualTo(fixedModel(30_000, 10_000, steps));
  }

  @Property(tries = 60)
  void shifted_sliding_windows_match_the_reference(@ForAll("streams") List<Step> raw) {
    List<Step> steps = timeline(raw, true);
    assertThat(runPipeline(SlidingWindow.of(Duration.ofSeconds(30), Duration.ofSeconds(10))
        .withOffset(Duration.ofMillis(3_700)), steps)).isEqualTo(fixedModel(30_000, 10_000, 3_700, steps));
  }

  /**
   * With lateness and forced watermarks (so some events arrive late, within or past the lateness),
   * every window's results run EARLY* ON_TIME? LATE_UPDATE*: at most one final result, and no
   * ON_TIME after a LATE_UPDATE of the same window. Without lateness, no session overlaps an
   * earlier, closed session of its key.
   */
  @Property(tries = 60)
  void a_final_result_is_never_followed_by_another_on_time_result(@ForAll("streams") List<Step> raw,
      @ForAll("assigners") WindowAssigner assigner, @ForAll("latenesses") Duration lateness) {
    List<Step> steps = timeline(raw, true);
    Pipeline p = Pipeline.named("prop-final");
    CollectingSink<WindowResult<String, Map<String, Object>>> out = Sinks.collecting("out");
    WindowAggregator<Ev, Map<String, Object>> agg = WindowAggregator.<Ev>create().aggregate("count", Aggregates.count());
    WindowTestSupport.events(p, Duration.ofMillis(BOUND)).keyBy(Ev::key).window(assigner).allowedLateness(lateness)
        .aggregate(agg).to(out);
    Map<String, List<WindowResult.Firing>> firings = new TreeMap<>();
    Map<String, List<Window>> closed = new TreeMap<>();
    for (WindowResult<String, Map<String, Object>> r : drive(p, out, steps)) {
      firings.computeIfAbsent(r.key() + "@" + r.start() + "-" + r.end(), k -> new ArrayList<>()).add(r.firing());
      if (assigner instanceof SessionWindow && lateness.isZero()) {
        // without lateness an ON_TIME session is closed: no later session of its key overlaps it
        List<Window> done = closed.computeIfAbsent(r.key(), k -> new ArrayList<>());
        assertThat(done).as("closed sessions of %s overlapping %s", r.key(), r.window())
            .noneMatch(w -> w.start().isBefore(r.end()) && r.start().isBefore(w.end()));
        done.add(r.window());
      }
    }
    firings.forEach((window, list) -> {
      int onTime = list.indexOf(WindowResult.Firing.ON_TIME);
      assertThat(list.stream().filter(f -> f == WindowResult.Firing.ON_TIME).count()).as(window).isLessThanOrEqualTo(1);
      int firstLate = list.indexOf(WindowResult.Firing.LATE_UPDATE);
      if (firstLate >= 0) {
        assertThat(onTime).as(window + " " + list).isLessThan(firstLate);
      }
    });
  }

  @Provide
  Arbitrary<WindowAssigner> assigners() {
    return Arbitraries.of(TumblingWindow.of(Duration.ofSeconds(30)),
        SlidingWindow.of(Duration.ofSeconds(30), Duration.ofSeconds(10)), SessionWindow.withGap(Duration.ofSeconds(15)));
  }

  @Provide
  Arbitrary<Duration> latenesses() {
    return Arbitraries.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(40));
  }

  @Property(tries = 60)
  void session_windows_match_the_reference(@ForAll("streams") List<Step> raw) {
    List<Step> steps = timeline(raw, false);
    assertThat(runPipeline(SessionWindow.withGap(Duration.ofSeconds(15)), steps))
        .isEqualTo(sessionModel(15_000, steps));
  }

  @Property(tries = 60)
  void global_count_windows_match_the_reference(@ForAll("streams") List<Step> raw) {
    List<Step> steps = timeline(raw, true);
    Pipeline p = Pipeline.named("prop-global");
    CollectingSink<WindowResult<String, Map<String, Object>>> out = Sinks.collecting("out");
    WindowAggregator<Ev, Map<String, Object>> agg = WindowAggregator.<Ev>create()
        .aggregate("count", Aggregates.count()).aggregate("sum", Aggregates.sum(Ev::v));
    WindowTestSupport.events(p, Duration.ofMillis(BOUND)).keyBy(Ev::key).window(GlobalWindow.everyCount(3))
        .aggregate(agg).to(out);
    Map<String, List<String>> got = new TreeMap<>();
    for (WindowResult<String, Map<String, Object>> r : drive(p, out, steps)) {
      got.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().get("count") + "/" + r.value().get("sum"));
    }
    Map<String, List<String>> expected = new TreeMap<>();
    Map<String, List<Step>> open = new TreeMap<>();
    for (Step s : steps) {
      if (s.key() == null) {
        continue;
      }
      List<Step> chunk = open.computeIfAbsent(s.key(), k -> new ArrayList<>());
      chunk.add(s);
      if (chunk.size() == 3) {
        expected.computeIfAbsent(s.key(), k -> new ArrayList<>()).add("3/" + chunk.stream().mapToDouble(Step::v).sum());
        chunk.clear();
      }
    }
    open.forEach((k, chunk) -> {
      if (!chunk.isEmpty()) {
        expected.computeIfAbsent(k, x -> new ArrayList<>()).add(chunk.size() + "/" + chunk.stream().mapToDouble(Step::v).sum());
      }
    });
    assertThat(got).isEqualTo(expected);
  }
}
