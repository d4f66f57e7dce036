package io.nip.pipeline.internal;

import java.util.ArrayList;
import java.util.List;

/** The tasks of a planned pipeline and its checkpoint coordinator. */
public final class Plan {
  final List<Task> tasks = new ArrayList<>();
  final Checkpoints checkpoints;

  Plan(Checkpoints checkpoints) {
    this.checkpoints = checkpoints;
  }

  void add(Task task) {
    tasks.add(task);
  }

  /** @return the number of tasks */
  public int taskCount() {
    return tasks.size();
  }
}
