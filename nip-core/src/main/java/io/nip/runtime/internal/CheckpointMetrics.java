package io.nip.runtime.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.time.NipClock;
import java.util.concurrent.TimeUnit;

/**
 * The meters of a pipeline's checkpoints: how long each took from its request to its completion
 * (commit included), and how many were aborted (not complete within the timeout) or failed (the
 * changelog commit failed; the state changes go with the next one). Called once per checkpoint, from
 * the coordinator under its lock or from the committer thread; Micrometer meters are thread-safe.
 */
public final class CheckpointMetrics {
  private final NipClock clock;
  private final Timer duration;
  private final Counter aborted;
  private final Counter failed;

  /**
   * @param pipeline the pipeline's name (tag {@code pipeline})
   * @param registry where the meters are registered
   * @param clock the pipeline clock, which also timed the requests
   */
  public CheckpointMetrics(String pipeline, MeterRegistry registry, NipClock clock) {
    this.clock = clock;
    this.duration = Timer.builder("nip.checkpoints.duration")
        .description("time from a checkpoint's request to its completion, commit included")
        .tag("pipeline", pipeline).publishPercentiles(0.5, 0.99).register(registry);
    this.aborted = Counter.builder("nip.checkpoints.aborted")
        .description("checkpoints aborted because they did not complete within checkpointTimeout")
        .tag("pipeline", pipeline).register(registry);
    this.failed = Counter.builder("nip.checkpoints.failed")
        .description("checkpoints whose commit failed; their state changes go with the next one")
        .tag("pipeline", pipeline).register(registry);
  }

  /** @return meters that nothing reads (coordinators built by tests) */
  static CheckpointMetrics unread() {
    return new CheckpointMetrics("", new SimpleMeterRegistry(), NipClock.system());
  }

  /** @param requestedAtMillis when the completed checkpoint was requested, by the pipeline clock */
  void completed(long requestedAtMillis) {
    duration.record(Math.max(0, clock.millis() - requestedAtMillis), TimeUnit.MILLISECONDS);
  }

  void aborted() {
    aborted.increment();
  }

  void failed() {
    failed.increment();
  }
}
