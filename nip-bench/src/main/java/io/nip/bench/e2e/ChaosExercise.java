package io.nip.bench.e2e;

import io.nip.examples.analytics.UserEventFeed;
import java.util.List;

/**
 * What {@link ChaosRun} needs to know of one exercise: the {@code nip run} job it kills, the input
 * it generates, and how the job's output compares with the exercise's reference.
 *
 * <p>Design. The harness (load, start, kill, last bounded run, read {@code read_committed}) is the
 * same for every exercise; only the job's name, how many users share the generated events and the
 * oracle differ. The oracle turns both sides into one {@link Comparison} of printable entries, so
 * the report and the verdict are written once. Subclasses are stateless and thread-safe.
 */
abstract class ChaosExercise {
  private final String job;
  private final int eventsPerUser;
  private final int maxUsers;

  /**
   * @param job the job's name under {@code nip run}, e.g. {@code analytics}
   * @param eventsPerUser generated events per user, on average
   * @param maxUsers the most users, however many events
   */
  ChaosExercise(String job, int eventsPerUser, int maxUsers) {
    this.job = job;
    this.eventsPerUser = eventsPerUser;
    this.maxUsers = maxUsers;
  }

  /** @return the job's name under {@code nip run}, e.g. {@code analytics} */
  final String job() {
    return job;
  }

  /** @return the line a {@code nip run} child prints once its job has started */
  final String startedLine() {
    return "nip run " + job + ": started";
  }

  /**
   * @param events generated input events
   * @param seed the generator's seed
   * @return what to generate: the generator's defaults with events / eventsPerUser users (at least
   *     100, at most maxUsers) and this seed
   */
  final UserEventFeed.Spec input(long events, long seed) {
    int users = (int) Math.max(100, Math.min(maxUsers, events / eventsPerUser));
    return UserEventFeed.Spec.defaults(events).withUsers(users).withSeed(seed);
  }

  /**
   * Compares the job's output with the reference computed from the input.
   *
   * @param input the input lines, bytes as loaded
   * @param output every value of the output topic as read {@code read_committed}, in partition order
   * @return lost, doubled and wrong results
   * @throws IllegalStateException when the input breaks an assumption of the oracle
   */
  abstract Comparison compare(List<byte[]> input, List<byte[]> output);

  /**
   * How an output compares with the reference, entries as they are printed.
   *
   * @param unit what a result is, plural ("windows", "sessions")
   * @param expected results of the reference
   * @param outputs records read from the output topic
   * @param lost results of the reference that the output lacks
   * @param doubled records beyond those an uninterrupted run writes
   * @param wrong records with other content than the reference's, or of a result it does not have
   */
  record Comparison(String unit, long expected, long outputs, List<String> lost, List<String> doubled,
      List<String> wrong) {
    /** Copies the lists. */
    Comparison {
      lost = List.copyOf(lost);
      doubled = List.copyOf(doubled);
      wrong = List.copyOf(wrong);
    }
  }
}
