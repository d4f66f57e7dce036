package io.nip.state;

/**
 * A named piece of task-local state. Every store can be snapshotted to bytes and restored from them,
 * which is what checkpoints and changelogs are built on.
 */
public interface StateStore extends AutoCloseable {

  /** @return the store's name, unique within its operator */
  String name();

  /** @return every live entry serialized with the store's serdes */
  StoreSnapshot snapshot();

  /**
   * Replaces the store's content with a snapshot taken earlier.
   *
   * @param snapshot what {@link #snapshot()} returned, possibly in another process
   */
  void restore(StoreSnapshot snapshot);

  /**
   * Writes what the store buffers (a write cache in front of a durable store) to its backend, so
   * that a local checkpoint taken next holds every write made so far. Called on the task's thread
   * at checkpoint barriers. Stores without a buffer do nothing (the default).
   *
   * @throws io.nip.errors.StateException when the backend refused the writes
   */
  default void flush() {}

  /** Releases the store's resources; the data of durable backends stays. */
  @Override
  void close();
}
