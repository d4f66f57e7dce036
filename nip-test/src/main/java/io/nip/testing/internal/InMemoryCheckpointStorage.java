package io.nip.testing.internal;

import io.nip.state.CheckpointStorage;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A {@link CheckpointStorage} in the driver's memory: the hostile driver writes a checkpoint after
 * every record and restores a fresh set of tasks from it. Snapshots are kept as the bytes the tasks
 * produced, so a restore goes through the same serialization as one from disk. Keeps only the
 * latest completed checkpoint and the one being written.
 */
public final class InMemoryCheckpointStorage implements CheckpointStorage {
  private final Map<Long, Map<String, byte[]>> checkpoints = new HashMap<>();
  private long latest;

  @Override
  public String name() {
    return "driver-memory";
  }

  @Override
  public synchronized void write(long checkpointId, String taskId, byte[] snapshot) {
    checkpoints.computeIfAbsent(checkpointId, k -> new HashMap<>()).put(taskId, snapshot.clone());
  }

  @Override
  public synchronized void complete(long checkpointId) {
    checkpoints.computeIfAbsent(checkpointId, k -> new HashMap<>());
    latest = checkpointId;
    checkpoints.keySet().removeIf(id -> id < checkpointId);
  }

  @Override
  public synchronized OptionalLong latestCompleted() {
    return latest == 0 ? OptionalLong.empty() : OptionalLong.of(latest);
  }

  @Override
  public synchronized byte[] read(long checkpointId, String taskId) {
    Map<String, byte[]> cp = checkpoints.get(checkpointId);
    byte[] b = cp == null ? null : cp.get(taskId);
    return b == null ? null : b.clone();
  }
}
