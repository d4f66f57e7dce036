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

  /** Releases the store's resources; the data of durable backends stays. */
  @Override
  void close();
}
