package io.nip.runtime.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nip.state.StateChangelog;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs, logs and meters the restores of task state from a state changelog: at start (the planner,
 * every task before any processes a record) and when a consumer group assigns a partition here
 * again (the task's own thread).
 *
 * <p>Meters, all tagged {@code pipeline} and, but for the gauge, {@code task}:
 *
 * <ul>
 *   <li>{@code nip.state.restore.entries} (counter): changelog entries applied, raised every
 *       {@value #STEP} entries while a restore runs, so that its rate shows the progress;
 *   <li>{@code nip.state.restore.duration} (timer): one sample per finished restore;
 *   <li>{@code nip.state.restore.active} (gauge): restores running now; 0 once every task is
 *       restored (a health check can wait for it).
 * </ul>
 *
 * <p>Threading: one instance per pipeline, called from the planner thread and from task threads;
 * each call uses its own counter and timer (Micrometer meters are thread-safe), the gauge's value is
 * atomic.
 */
public final class ChangelogRestores {
  private static final Logger LOG = LoggerFactory.getLogger(ChangelogRestores.class);
  /** Entries between two updates of the entries counter. */
  static final int STEP = 10_000;

  private final String pipeline;
  private final MeterRegistry registry;
  private final AtomicInteger active = new AtomicInteger();

  /**
   * @param pipeline the pipeline's name (meter tag)
   * @param registry where the meters go
   */
  public ChangelogRestores(String pipeline, MeterRegistry registry) {
    this.pipeline = pipeline;
    this.registry = registry;
    Gauge.builder("nip.state.restore.active", active, AtomicInteger::get)
        .description("tasks whose state is being restored from the changelog now")
        .tag("pipeline", pipeline).register(registry);
  }

  /**
   * Restores one task's stores and reports it.
   *
   * @param changelog the changelog
   * @param ref the task
   * @param from the task's local checkpoint positions (store changelog partition → offset), or empty
   * @param state the task's keyed state, which takes the changes
   * @param why what caused the restore, for the log line
   * @return the task's committed metadata, or null when none was committed
   */
  public byte[] restore(StateChangelog changelog, StateChangelog.TaskRef ref, Map<String, Long> from,
      KeyedStateService state, String why) {
    Counter entries = Counter.builder("nip.state.restore.entries")
        .description("state changelog entries applied by restores").baseUnit("entries")
        .tag("pipeline", pipeline).tag("task", ref.taskId()).register(registry);
    long start = System.nanoTime();
    long[] count = {0};
    active.incrementAndGet();
    byte[] meta;
    try {
      meta = changelog.restore(ref, from, c -> {
        state.applyRestored(c);
        if (++count[0] % STEP == 0) {
          entries.increment(STEP);
        }
      });
    } finally {
      active.decrementAndGet();
      entries.increment(count[0] % STEP);
    }
    long nanos = System.nanoTime() - start;
    Timer.builder("nip.state.restore.duration").description("time to restore a task's state from the changelog")
        .tag("pipeline", pipeline).tag("task", ref.taskId()).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    if (count[0] > 0 || meta != null) {
      LOG.info("pipeline '{}': task {} restored {} changelog entries from {} in {} ms ({}; local checkpoint "
          + "positions {})", pipeline, ref.taskId(), count[0], changelog.name(), nanos / 1_000_000, why, from);
    }
    return meta;
  }
}
