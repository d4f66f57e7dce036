package io.nip.cep;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.cep.BruteForceMatcher.Found;
import io.nip.cep.BruteForceMatcher.PEv;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Random patterns (next / followedBy, times, atLeast, consecutive, stepWithin, within,
 * notFollowedBy, iterative conditions, every skip strategy) over random keyed streams with bounded
 * disorder, in every driver mode: the operator's matches per key equal the brute-force reference's
 * ({@link BruteForceMatcher}), in the same order, with the same detection times.
 */
class PatternProperties {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  private static final String[] KINDS = {"a", "b", "c"};

  /** A step as data, so that the same step builds the pattern under test and the reference. */
  record StepDef(String kind, boolean iterative, int min, int max, boolean strictIn, boolean consecutive,
      long stepWithinSec) {

    BiPredicate<PEv, List<PEv>> condition() {
      return (e, before) -> e.kind().equals(kind) && (!iterative || before.isEmpty() || e.v() >= before.get(0).v());
    }
  }

  /** A random case's pattern. */
  record Case(List<StepDef> steps, long withinSec, String absentKind, long absentSec, AfterMatchSkip skip,
      int disorderSec, DriverMode mode) {

    Pattern<PEv> pattern() {
      Pattern<PEv> p = null;
      for (int i = 0; i < steps.size(); i++) {
        StepDef s = steps.get(i);
        String name = "s" + i;
        p = i == 0 ? Pattern.begin(name) : s.strictIn() ? p.next(name) : p.followedBy(name);
        BiPredicate<PEv, List<PEv>> c = s.condition();
        p = p.where((e, matched) -> c.test(e, matched.all()));
        if (s.max() == Integer.MAX_VALUE) {
          p = p.atLeast(s.min());
        } else if (s.max() > 1) {
          p = p.times(s.max());
        }
        if (s.consecutive()) {
          p = p.consecutive();
        }
        if (s.stepWithinSec() >= 0) {
          p = p.stepWithin(Duration.ofSeconds(s.stepWithinSec()));
        }
      }
      if (withinSec >= 0) {
        p = p.within(Duration.ofSeconds(withinSec));
      }
      if (absentKind != null) {
        p = p.notFollowedBy(e -> e.kind().equals(absentKind), Duration.ofSeconds(absentSec));
      }
      return p.afterMatch(skip);
    }

    BruteForceMatcher.Spec reference() {
      List<BruteForceMatcher.Step> ref = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        StepDef s = steps.get(i);
        ref.add(new BruteForceMatcher.Step("s" + i, s.condition(), s.min(), s.max(), i > 0 && s.strictIn(),
            s.consecutive(), s.stepWithinSec() < 0 ? -1 : s.stepWithinSec() * 1000));
      }
      return new BruteForceMatcher.Spec(ref, withinSec < 0 ? -1 : withinSec * 1000,
          absentKind == null ? null : e -> e.kind().equals(absentKind), absentSec * 1000, skip);
    }
  }

  /** A generated event: key, kind, value, time and arrival jitter (seconds). */
  record Raw(int user, int kind, int v, int sec, int jitter) {}

  @Provide
  Arbitrary<Case> cases() {
    return Arbitraries.randomValue(PatternProperties::randomCase);
  }

  private static Case randomCase(Random r) {
    int n = 1 + r.nextInt(3);
    List<StepDef> steps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int q = r.nextInt(4);
      int min = q == 0 ? 1 : 1 + r.nextInt(q == 3 ? 2 : 3);
      int max = q == 3 ? Integer.MAX_VALUE : q == 0 ? 1 : min;
      boolean loops = max > 1;
      steps.add(new StepDef(KINDS[r.nextInt(2)], r.nextInt(4) == 0, min, max, r.nextBoolean(),
          loops && r.nextInt(3) == 0, loops && r.nextBoolean() ? 1 + r.nextInt(8) : -1));
    }
    long within = r.nextBoolean() ? 1 + r.nextInt(15) : -1;
    String absent = r.nextInt(3) == 0 ? KINDS[r.nextInt(KINDS.length)] : null;
    return new Case(steps, within, absent, 1 + r.nextInt(6), AfterMatchSkip.values()[r.nextInt(3)],
        r.nextInt(4), DriverMode.values()[r.nextInt(DriverMode.values().length)]);
  }

  @Provide
  Arbitrary<List<Raw>> streams() {
    return Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.frequency(Tuple.of(5, 0), Tuple.of(4, 1), Tuple.of(2, 2)),
            Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 12),
            Arbitraries.integers().between(0, 3))
        .as(Raw::new).list().ofMinSize(6).ofMaxSize(24);
  }

  @Property(tries = 400)
  void the_operator_emits_exactly_the_reference_matches(@ForAll("cases") Case c, @ForAll("streams") List<Raw> raw) {
    // Given events with ids in generation order, arriving by time + jitter (never behind the watermark)
    List<PEv> evs = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      Raw x = raw.get(i);
      evs.add(new PEv("u" + x.user(), KINDS[x.kind()], x.v(), i));
      times.add(x.sec() * 1000L);
    }
    List<Integer> arrival = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      arrival.add(i);
    }
    arrival.sort(Comparator.comparingLong(i -> raw.get(i).sec() + Math.min(raw.get(i).jitter(), c.disorderSec())));

    // When
    Map<String, List<String>> actual = run(c, evs, times, arrival);

    // Then
    Map<String, List<String>> expected = expected(c, evs, times, arrival);
    assertThat(actual).isEqualTo(expected);
    Statistics.label("matches").collect(expected.values().stream().mapToInt(List::size).sum() == 0 ? "none"
        : expected.values().stream().mapToInt(List::size).sum() < 3 ? "1-2" : "3+");
    Statistics.label("contiguity").collect(c.steps().stream().skip(1).anyMatch(StepDef::strictIn) ? "has next" : "relaxed only");
    Statistics.label("quantifier").collect(c.steps().stream().anyMatch(s -> s.max() == Integer.MAX_VALUE) ? "atLeast"
        : c.steps().stream().anyMatch(s -> s.max() > 1) ? "times" : "single");
    Statistics.label("time").collect(c.withinSec() >= 0 ? "within" : c.steps().stream().anyMatch(s -> s.stepWithinSec() >= 0)
        ? "stepWithin" : "unbounded");
    Statistics.label("absence").collect(c.absentKind() != null);
  }

  @Provide
  Arbitrary<Case> rareStarts() {
    return Arbitraries.randomValue(r -> {
      Case c = randomCase(r);
      List<StepDef> steps = new ArrayList<>(c.steps());
      StepDef first = steps.get(0);
      steps.set(0, new StepDef("c", first.iterative(), first.min(), first.max(), false, first.consecutive(),
          first.stepWithinSec()));
      if (steps.size() == 1) {
        steps.add(new StepDef(KINDS[r.nextInt(2)], false, 1, 1, true, false, -1));
      }
      return new Case(steps, c.withinSec(), c.absentKind(), c.absentSec(), c.skip(), 1 + r.nextInt(3), c.mode());
    });
  }

  /**
   * The fast path (an event evaluated while its key has no partial match open, failing the first
   * step, is skipped) under disorder: the first step takes the rarest kind and a strict step follows,
   * so an event that starts nothing when it arrives often belongs after an earlier start that
   * arrives later.
   */
  @Property(tries = 200)
  void events_that_start_nothing_are_skipped_without_changing_the_matches(@ForAll("rareStarts") Case c,
      @ForAll("streams") List<Raw> raw) {
    the_operator_emits_exactly_the_reference_matches(c, raw);
  }

  private static Map<String, List<String>> run(Case c, List<PEv> evs, List<Long> times, List<Integer> arrival) {
    Pipeline p = Pipeline.named("cep-properties");
    CollectingSink<PatternMatch<String, PEv>> out = Sinks.collecting("matches");
    CollectingSink<PEv> late = Sinks.collecting("late");
    PatternStream<String, PEv> ps = Cep.detect(
        p.from(Sources.<PEv>collection("in", List.of()),
                WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(c.disorderSec())))
            .keyBy(PEv::user, Serdes.string()),
        c.pattern(), Serdes.json(PEv.class), Op.named("pattern"));
    ps.matches().to(out);
    ps.lateEvents().to(late);
    Map<String, List<String>> byKey = new TreeMap<>();
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0, c.mode())) {
      TestInput<PEv> in = d.input("in");
      for (int i : arrival) {
        in.pipe(evs.get(i), T0.plusMillis(times.get(i)));
      }
      d.endAllInputs();
      assertThat(d.output(late)).isEmpty();
      for (PatternMatch<String, PEv> m : d.output(out)) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<PEv>> s : m.stages().entrySet()) {
          for (PEv e : s.getValue()) {
            b.append(s.getKey()).append(':').append(e.id()).append(' ');
          }
        }
        b.append('@').append(m.detectedAt().toEpochMilli() - T0.toEpochMilli());
        byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(b.toString());
      }
    }
    return byKey;
  }

  private static Map<String, List<String>> expected(Case c, List<PEv> evs, List<Long> times, List<Integer> arrival) {
    Map<String, List<Integer>> perKey = new TreeMap<>();
    List<Integer> order = new ArrayList<>(arrival);
    order.sort(Comparator.comparingLong(times::get)); // stable: ties keep arrival order
    for (int i : order) {
      perKey.computeIfAbsent(evs.get(i).user(), k -> new ArrayList<>()).add(i);
    }
    Map<String, List<String>> byKey = new TreeMap<>();
    for (Map.Entry<String, List<Integer>> k : perKey.entrySet()) {
      List<PEv> keyEvs = k.getValue().stream().map(evs::get).collect(Collectors.toList());
      long[] ts = k.getValue().stream().mapToLong(times::get).toArray();
      for (Found f : BruteForceMatcher.matches(c.reference(), keyEvs, ts)) {
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < f.idx().length; j++) {
          b.append('s').append(f.stage()[j]).append(':').append(keyEvs.get(f.idx()[j]).id()).append(' ');
        }
        b.append('@').append(f.detectedAt());
        byKey.computeIfAbsent(k.getKey(), x -> new ArrayList<>()).add(b.toString());
      }
    }
    return byKey;
  }
}
