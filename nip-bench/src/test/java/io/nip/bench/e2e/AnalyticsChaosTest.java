package io.nip.bench.e2e;

import io.nip.pipeline.Guarantee;
import org.junit.jupiter.api.Test;

/**
 * {@link ChaosTestBase} for exercise 1: {@code nip run analytics} killed 3 times under each
 * guarantee with RocksDB state, and under exactly-once with its state in memory, its windows checked
 * against {@link io.nip.examples.analytics.AnalyticsReference} (lost, doubled, wrong as {@link
 * AnalyticsChaos} defines them).
 */
class AnalyticsChaosTest extends ChaosTestBase {
  AnalyticsChaosTest() {
    super(new AnalyticsChaos());
  }

  @Test
  void when_the_job_keeps_its_windows_in_memory_and_is_killed_then_the_changelog_alone_restores_them_exactly_once()
      throws Exception {
    // Given: the in-memory backend, whose change set is kept next to each key (windows changed in
    // place and put back): after a kill nothing survives but what the changelog committed
    long seed = Long.getLong("nip.chaos.seed", System.nanoTime());

    // When / Then: killed KILLS times under exactly-once, every window once with its exact content
    killAndCheck(new ChaosRun.Settings(new AnalyticsChaos(), KILLS, EVENTS, Guarantee.EXACTLY_ONCE, seed, true));
  }
}
