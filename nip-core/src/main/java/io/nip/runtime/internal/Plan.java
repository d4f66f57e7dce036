package io.nip.runtime.internal;

import java.util.ArrayList;
import java.util.List;

/** The tasks of a planned pipeline and its checkpoint coordinator. */
public final class Plan {
  final List<Task> tasks = new ArrayList<>();
  final Checkpoints checkpoints;
  /** Closed after the tasks when the pipeline ends (a changelog's clients). */
  final List<AutoCloseable> resources = new ArrayList<>();

  public Plan(Checkpoints checkpoints) {
    this.checkpoints = checkpoints;
  }

  public void add(Task task) {
    tasks.add(task);
  }

  /** @param resource closed after the tasks when the pipeline ends */
  public void closeAtEnd(AutoCloseable resource) {
    resources.add(resource);
  }

  /** Closes the plan's resources; failures are logged, not thrown. */
  void closeResources() {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(Plan.class).warn("closing {} failed", r, e);
      }
    }
    resources.clear();
  }

  /** @return the number of tasks */
  public int taskCount() {
    return tasks.size();
  }
}
