package io.nip.pipeline;

import java.time.Duration;
import java.util.Optional;

/**
 * A running pipeline. Bounded pipelines complete by themselves when every source is exhausted;
 * unbounded ones run until {@link #stop()}. Stopping stops reading, lets in-flight records reach
 * their sinks, flushes the sinks and commits source positions.
 *
 * <pre>{@code
 * try (PipelineHandle h = pipeline.start()) {
 *   h.awaitTermination(Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public interface PipelineHandle extends AutoCloseable {

  /** Life-cycle states. */
  enum Status { CREATED, RUNNING, STOPPING, COMPLETED, FAILED }

  /**
   * @param timeout how long to wait
   * @return true when the pipeline ended within the timeout
   * @throws io.nip.errors.NipException when it ended by failing
   */
  boolean awaitTermination(Duration timeout);

  /**
   * Waits until the pipeline ends.
   *
   * @throws io.nip.errors.NipException when it ended by failing
   */
  void awaitTermination();

  /** Asks the pipeline to stop; returns at once. In-flight work is drained. */
  void stop();

  /** Stops and waits for the end; failures are available through {@link #failure()}. */
  @Override
  void close();

  /** @return the current state */
  Status status();

  /** @return the failure that ended the pipeline, if any */
  Optional<Throwable> failure();
}
