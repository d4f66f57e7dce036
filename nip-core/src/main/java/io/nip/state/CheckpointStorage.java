package io.nip.state;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Where a pipeline keeps its checkpoints: per checkpoint, one snapshot per task (its keyed state,
 * timers, watermark and source positions), made visible as a whole only once every task wrote its
 * part. A pipeline started with a storage that holds a completed checkpoint restores every task
 * from it and its sources resume from the positions it recorded.
 *
 * <pre>{@code
 * PipelineConfig cfg = PipelineConfig.builder()
 *     .checkpointStorage(CheckpointStorage.localDirectory(Path.of("/var/lib/app/checkpoints")))
 *     .build();
 * }</pre>
 *
 * <p>Implementations must make {@link #complete} atomic (a crash leaves the previous completed
 * checkpoint as the latest) and must be safe to call from several task threads at once.
 */
public interface CheckpointStorage extends AutoCloseable {

  /** @return a short name for logs, e.g. "local-directory:/var/lib/app" */
  String name();

  /**
   * Stores one task's part of a checkpoint; not visible to {@link #latestCompleted} until the
   * checkpoint is completed.
   *
   * @param checkpointId the checkpoint, positive and increasing
   * @param taskId the task, stable across runs of the same pipeline
   * @param snapshot the task's snapshot bytes
   * @throws StorageFailure when the bytes could not be stored durably
   */
  void write(long checkpointId, String taskId, byte[] snapshot);

  /**
   * Makes a checkpoint whose parts were all written the latest completed one, atomically, and
   * drops older checkpoints beyond the implementation's retention.
   *
   * @param checkpointId the checkpoint
   * @throws StorageFailure when it could not be completed
   */
  void complete(long checkpointId);

  /** @return the latest completed checkpoint, or empty when none */
  OptionalLong latestCompleted();

  /**
   * @param checkpointId a completed checkpoint
   * @param taskId a task
   * @return the task's snapshot in that checkpoint, or null when the task wrote none
   * @throws StorageFailure when it could not be read
   */
  byte[] read(long checkpointId, String taskId);

  /** Releases resources; stored checkpoints stay. */
  @Override
  default void close() {}

  /**
   * Checkpoints as files under a directory: {@code chk-<id>/<task>.snapshot}, and a
   * {@code chk-<id>/_COMPLETED} marker written last with an atomic rename; the two latest
   * completed checkpoints are kept.
   *
   * @param directory created if missing; one directory per pipeline (application)
   * @return the storage
   */
  static CheckpointStorage localDirectory(Path directory) {
    return new io.nip.state.internal.LocalDirectoryCheckpointStorage(directory, 2);
  }

  /** A checkpoint could not be written, completed or read. */
  final class StorageFailure extends io.nip.errors.StateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the checkpoint and path
     * @param cause the I/O failure
     */
    public StorageFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
