package io.nip.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Guarantee;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The chaos harness in the build, short, for one exercise (the subclass names it): the broker in
 * its own JVM, the exercise's {@code nip run} job (RocksDB state, 100 ms checkpoints) in a child JVM
 * killed with SIGKILL at random moments and restarted, a last bounded run, and the output topic
 * read {@code read_committed} against the reference computed from the input file. Under both
 * guarantees no result is lost or wrong; under exactly-once none is doubled either, and there are
 * as many output records as results of the reference. The long variant:
 * {@code -Dnip.chaos.kills=30} (and {@code -Dnip.chaos.events=N}, {@code -Dnip.chaos.seed=S}).
 */
abstract class ChaosTestBase {
  /** Kills in the build; the long variant passes {@code -Dnip.chaos.kills=30}. */
  static final int KILLS = Integer.getInteger("nip.chaos.kills", 3);
  static final long EVENTS = Long.getLong("nip.chaos.events", 30_000L + KILLS * 3_000L);
  static BrokerProcess broker;

  private final ChaosExercise exercise;

  /** @param exercise the job killed and the reference its output is checked against */
  ChaosTestBase(ChaosExercise exercise) {
    this.exercise = exercise;
  }

  @BeforeAll
  static void startBroker() throws Exception {
    broker = BrokerProcess.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Guarantee.class)
  void when_the_job_is_killed_at_random_moments_and_restarted_then_no_result_is_lost_or_wrong_and_exactly_once_doubles_none(
      Guarantee guarantee) throws Exception {
    // Given: generated events loaded once, the job started over them in a child JVM
    long seed = Long.getLong("nip.chaos.seed", System.nanoTime());

    // When: it is killed KILLS times at random moments and restarted, then run bounded to the end
    killAndCheck(new ChaosRun.Settings(exercise, KILLS, EVENTS, guarantee, seed));
  }

  /**
   * Runs the harness and checks its comparison: nothing lost or wrong, and under exactly-once
   * nothing doubled and as many output records as results of the reference.
   *
   * @param settings what to run
   * @throws Exception when the harness cannot run
   */
  void killAndCheck(ChaosRun.Settings settings) throws Exception {
    long seed = settings.seed();
    Guarantee guarantee = settings.guarantee();
    ChaosRun.Result r = ChaosRun.run(broker.bootstrapServers(), settings, System.err);
    ChaosRun.print(r, System.out);

    // Then: the read_committed output holds every result of the reference with its content ...
    ChaosExercise.Comparison c = r.comparison();
    assertThat(r.killReports()).hasSize(KILLS);
    assertThat(c.expected()).isGreaterThan(1_000);
    assertThat(c.lost().size()).as("lost %s (seed %d), first: %s", c.unit(), seed, first(c.lost())).isZero();
    assertThat(c.wrong().size()).as("wrong %s (seed %d), first: %s", c.unit(), seed, first(c.wrong())).isZero();
    // ... and, under exactly-once, each of them once: this needs the engine's Kafka transactions
    // (sink records, changelog and offsets of a checkpoint in one transaction)
    if (guarantee == Guarantee.EXACTLY_ONCE) {
      assertThat(c.doubled().size()).as("doubled %s under exactly-once (seed %d), first: %s", c.unit(), seed,
          first(c.doubled())).isZero();
      assertThat(c.outputs()).isEqualTo(c.expected());
    }
    assertThat(r.broken()).isFalse();
  }

  private static List<?> first(List<?> all) {
    return all.subList(0, Math.min(ChaosRun.SHOWN, all.size()));
  }
}
