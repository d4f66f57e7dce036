package io.nip.bench.e2e;

import io.nip.examples.analytics.AnalyticsReference;
import io.nip.examples.analytics.UserWindowSummary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Exercise 1 under {@link ChaosRun}: {@code nip run analytics} over {@link io.nip.examples.analytics.UserEventFeed} events
 * (users = events / 30, between 100 and 10,000), each output record compared with
 * {@link AnalyticsReference}: lost windows, further copies of a correct result (doubled), results
 * with other numbers or of windows the reference does not have (wrong).
 *
 * <p>Design: a thin adapter, the oracle is {@link AnalyticsReference#compare}; an uninterrupted run
 * writes one result per window, so every copy beyond the first is one an uninterrupted run does not
 * write. Stateless; thread-safe.
 */
final class AnalyticsChaos extends ChaosExercise {
  AnalyticsChaos() {
    super("analytics", 30, 10_000);
  }

  @Override
  Comparison compare(List<byte[]> input, List<byte[]> output) {
    List<UserWindowSummary> got = new ArrayList<>(output.size());
    output.forEach(v -> got.add(UserWindowSummary.SERDE.deserialize(v)));
    AnalyticsReference.Comparison c = AnalyticsReference.compare(AnalyticsReference.expected(input), got);
    return new Comparison("windows", c.expectedWindows(), c.outputs(),
        c.lost().stream().map(k -> k.userId() + " " + k.windowStart()).toList(),
        c.doubled().stream().map(AnalyticsChaos::json).toList(),
        c.wrong().stream().map(w -> json(w.got()) + " expected "
            + (w.expected() == null ? "no such window" : w.expected())).toList());
  }

  private static String json(UserWindowSummary s) {
    return new String(UserWindowSummary.SERDE.serialize(s), StandardCharsets.UTF_8);
  }
}
