package io.nip.pipeline.internal;

import io.nip.errors.ConfigurationException;
import io.nip.runtime.internal.Checkpoints;
import io.nip.state.CheckpointStorage;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The checkpoint a pipeline restores from when it is planned: the latest completed one in its
 * storage, checked against the tasks of the plan (a checkpoint of a pipeline with other sources,
 * partitions or parallelism cannot be restored task by task, and is refused with a message that
 * names both task lists rather than silently dropping state).
 */
final class Restore {
  private final CheckpointStorage storage;
  private final long checkpointId;

  private Restore(CheckpointStorage storage, long checkpointId) {
    this.storage = storage;
    this.checkpointId = checkpointId;
  }

  static Restore load(CheckpointStorage storage, String pipeline, List<String> taskIds) {
    if (storage == null) {
      return new Restore(null, 0);
    }
    String topology = String.join("\n", taskIds);
    long id = storage.latestCompleted().orElse(0);
    if (id > 0) {
      byte[] stored = storage.read(id, Checkpoints.TOPOLOGY);
      String storedTopology = stored == null ? null : new String(stored, StandardCharsets.UTF_8);
      if (storedTopology != null && !storedTopology.equals(topology)) {
        throw new ConfigurationException("checkpoint storage", "pipeline '" + pipeline + "': checkpoint " + id
            + " in " + storage.name() + " was taken with the tasks [" + storedTopology.replace('\n', ',')
            + "] but this pipeline has [" + String.join(",", taskIds) + "]; restore with the same sources, "
            + "partitions and parallelism, or use a new checkpoint location");
      }
    }
    return new Restore(storage, id);
  }

  long checkpointId() {
    return checkpointId;
  }

  byte[] snapshot(String taskId) {
    return checkpointId == 0 ? null : storage.read(checkpointId, taskId);
  }
}
