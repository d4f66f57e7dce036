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

  /**
   * Releases what a plan that failed while it was being built holds: the operators and readers of
   * the tasks built so far, then the resources (a changelog's clients). Failures are logged.
   */
  public void abandon() {
    for (Task t : tasks) {
      try {
        t.closeOperators();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Plan.class).debug("closing task {} failed", t.id(), e);
      }
      if (t instanceof SourceTask) {
        try {
          ((SourceTask) t).reader().close();
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(Plan.class).debug("closing the reader of {} failed", t.id(), e);
        }
      }
    }
    tasks.clear();
    closeResources();
  }

  /** @return the number of tasks */
  public int taskCount() {
    return tasks.size();
  }
}
