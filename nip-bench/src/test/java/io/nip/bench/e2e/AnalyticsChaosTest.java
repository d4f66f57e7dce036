package io.nip.bench.e2e;

/**
 * {@link ChaosTestBase} for exercise 1: {@code nip run analytics} killed 3 times under each
 * guarantee, its windows checked against {@link io.nip.examples.analytics.AnalyticsReference}
 * (lost, doubled, wrong as {@link AnalyticsChaos} defines them).
 */
class AnalyticsChaosTest extends ChaosTestBase {
  AnalyticsChaosTest() {
    super(new AnalyticsChaos());
  }
}
