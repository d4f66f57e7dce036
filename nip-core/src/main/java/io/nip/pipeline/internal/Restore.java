package io.nip.pipeline.internal;

import io.nip.errors.ConfigurationException;
import io.nip.errors.StateException;
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

  private final String pipeline;

  private Restore(CheckpointStorage storage, long checkpointId, String pipeline) {
    this.storage = storage;
    this.checkpointId = checkpointId;
    this.pipeline = pipeline;
  }

  /**
   * @param pipeline the pipeline name
   * @param taskIds the plan's task ids
   * @return what a checkpoint records of the plan that wrote it
   */
  static byte[] topology(String pipeline, List<String> taskIds) {
    return ("pipeline " + pipeline + "\n" + String.join("\n", taskIds)).getBytes(StandardCharsets.UTF_8);
  }

  static Restore load(CheckpointStorage storage, String pipeline, List<String> taskIds) {
    if (storage == null) {
      return new Restore(null, 0, pipeline);
    }
    long id = storage.latestCompleted().orElse(0);
    if (id > 0) {
      byte[] stored = storage.read(id, Checkpoints.TOPOLOGY);
      if (stored == null) {
        throw new StateException("pipeline '" + pipeline + "': checkpoint " + id + " in " + storage.name()
            + " is marked complete but lacks its topology record; it cannot be restored safely");
      }
      String storedTopology = new String(stored, StandardCharsets.UTF_8);
      String topology = new String(topology(pipeline, taskIds), StandardCharsets.UTF_8);
      if (!storedTopology.equals(topology)) {
        throw new ConfigurationException("checkpoint storage", "pipeline '" + pipeline + "': checkpoint " + id
            + " in " + storage.name() + " was taken by [" + storedTopology.replace('\n', ',')
            + "] but this plan is [" + topology.replace('\n', ',') + "]; restore with the same pipeline name, "
            + "sources, partitions and parallelism, or use a new checkpoint location");
      }
    }
    return new Restore(storage, id, pipeline);
  }

  long checkpointId() {
    return checkpointId;
  }

  byte[] snapshot(String taskId) {
    if (checkpointId == 0) {
      return null;
    }
    byte[] snap = storage.read(checkpointId, taskId);
    if (snap == null) {
      throw new StateException("pipeline '" + pipeline + "': checkpoint " + checkpointId + " in " + storage.name()
          + " is marked complete but lacks the snapshot of task " + taskId + "; it cannot be restored safely");
    }
    return snap;
  }
}
