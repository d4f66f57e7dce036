package io.nip.bench.e2e;

/**
 * {@link ChaosTestBase} for exercise 2: {@code nip run sessions} killed 3 times under each
 * guarantee, its sessions checked against {@link io.nip.examples.sessions.SessionsReference} (lost
 * from the consumer's final view, wrong lines, and lines beyond the one per session an
 * uninterrupted run writes as doubled; see {@link SessionsChaos}).
 */
class SessionsChaosTest extends ChaosTestBase {
  SessionsChaosTest() {
    super(new SessionsChaos());
  }
}
