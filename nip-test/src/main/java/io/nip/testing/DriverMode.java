package io.nip.testing;

/**
 * How hostile a {@link PipelineTestDriver} is to the pipeline under test. The hostile modes run the
 * same test with the engine's recovery machinery in play, so an operator that keeps state outside
 * the task's keyed state service, or forgets a timer in its snapshot, fails the test that would
 * otherwise pass.
 *
 * <pre>{@code
 * try (PipelineTestDriver d = PipelineTestDriver.of(pipeline, Instant.EPOCH, DriverMode.RESTORE_BETWEEN_RECORDS)) { ... }
 * }</pre>
 *
 * <p>A whole test suite runs in a mode when the system property {@code nip.testing.driverMode}
 * names it (the build runs the operator suites once per mode this way).
 */
public enum DriverMode {
  /** One keyed task, no checkpoints: the fastest, fully ordered mode. */
  PLAIN,
  /**
   * After every record a checkpoint is taken (barriers, snapshots of every task), the pipeline's
   * tasks are thrown away, and a fresh set of tasks is restored from that checkpoint (through the
   * snapshot bytes, as after a restart in another process) before the next record — like
   * Hazelcast Jet's snapshot-and-restore test support.
   */
  RESTORE_BETWEEN_RECORDS,
  /**
   * Keyed stages run {@value #PARALLEL_TASKS} tasks with the key exchange between them, and a
   * checkpoint barrier (aligned in every keyed task) follows every record. Results of different keys
   * may then interleave in another order than in {@link #PLAIN}; the order per key is kept.
   */
  PARALLEL;

  /** Keyed tasks per keyed stage in {@link #PARALLEL}. */
  public static final int PARALLEL_TASKS = 3;

  /** The system property that selects the default mode of {@link PipelineTestDriver#of}. */
  public static final String PROPERTY = "nip.testing.driverMode";

  /** @return the mode named by {@link #PROPERTY}, or {@link #PLAIN} */
  public static DriverMode fromSystemProperty() {
    String v = System.getProperty(PROPERTY);
    return v == null || v.isBlank() ? PLAIN : DriverMode.valueOf(v.trim());
  }
}
