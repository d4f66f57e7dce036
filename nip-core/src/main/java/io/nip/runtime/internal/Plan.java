package io.nip.runtime.internal;

import java.util.ArrayList;
import java.util.List;

/** The tasks of a planned pipeline and its checkpoint coordinator. */
public final class Plan {
  final List<Task> tasks = new ArrayList<>();
  final Checkpoints checkpoints;

  public Plan(Checkpoints checkpoints) {
    this.checkpoints = checkpoints;
  }

  public void add(Task task) {
    tasks.add(task);
  }

  /** @return the number of tasks */
  public int taskCount() {
    return tasks.size();
  }
}
