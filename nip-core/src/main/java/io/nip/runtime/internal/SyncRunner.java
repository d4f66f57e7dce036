package io.nip.runtime.internal;

import io.nip.errors.NipException;
import io.nip.state.KeyValueStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a plan on the caller's thread, for the test driver: every call runs all tasks round after
 * round until none makes progress and no mapAsync call is in flight. Deterministic: same inputs,
 * same order, same outputs. Checkpoints are taken when asked ({@link #checkpointNow}) and when the
 * pipeline's {@code checkpointEveryEvents} count is reached, never on the interval (virtual time
 * moves only when a test moves it).
 */
public final class SyncRunner {
  /** Waits of 10 ms each for in-flight mapAsync calls before giving up (30 s). */
  private static final int MAX_ASYNC_WAITS = 3_000;
  private final Plan plan;
  private final io.nip.time.NipClock clock;
  private boolean closed;

  /**
   * @param plan the planned pipeline (with test sources)
   * @param clock the virtual clock
   */
  public SyncRunner(Plan plan, io.nip.time.NipClock clock) {
    this.plan = plan;
    this.clock = clock;
    for (Task t : plan.tasks) {
      t.bind(null);
    }
  }

  /**
   * Takes a checkpoint now: every source task records its position and sends a barrier, every task
   * snapshots at the (aligned) barrier, and the checkpoint completes in the plan's storage.
   *
   * @throws NipException when the plan has no checkpoints or the checkpoint did not complete
   */
  public void checkpointNow() {
    Checkpoints c = plan.checkpoints;
    if (c == null) {
      throw new NipException("this plan takes no checkpoints");
    }
    long target = c.requested() + 1;
    c.requestNow();
    c.maybeTrigger(clock.millis());
    runUntilQuiescent();
    if (c.completed() < target && !allDone()) {
      throw new NipException("checkpoint " + target + " did not complete: a task never acknowledged its barrier");
    }
  }

  /** Runs every task until no task makes progress. */
  public void runUntilQuiescent() {
    if (closed) {
      throw new NipException("the test driver was closed");
    }
    int waits = 0;
    for (int round = 0; round < 1_000_000; round++) {
      boolean progress = false;
      long now = clock.millis();
      for (Task t : plan.tasks) {
        if (!t.done) {
          if (plan.checkpoints != null) {
            plan.checkpoints.maybeTriggerOnCount(now); // the record count and the timeout; the interval never
          }
          progress |= t.runOnce(now);
          if (t.done && plan.checkpoints != null) {
            plan.checkpoints.taskEnded(t.index, t.finalSnapshot());
          }
        }
      }
      if (progress) {
        waits = 0;
      } else if (!awaitAsyncCall()) {
        return;
      } else if (++waits > MAX_ASYNC_WAITS) {
        throw new NipException("mapAsync calls were still in flight after 30 s; the test driver cannot settle");
      }
    }
    throw new NipException("the pipeline did not settle after 1,000,000 rounds (a loop in user code?)");
  }

  /**
   * Not settled while a mapAsync call is in flight: its result is still to come.
   *
   * @return true after waiting (at most 10 ms) for a call of some task; false when none is in flight
   */
  private boolean awaitAsyncCall() {
    for (Task t : plan.tasks) {
      if (t.done) {
        continue;
      }
      for (Operator op : t.rt.all) {
        if (op instanceof AsyncCapable && ((AsyncCapable) op).inFlight() > 0) {
          ((AsyncCapable) op).awaitCompletion();
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Moves the watermark of every source task of {@code sourceName} to at least {@code watermark}.
   *
   * @param sourceName the source
   * @param watermark epoch millis
   */
  public void advanceWatermark(String sourceName, long watermark) {
    for (Task t : plan.tasks) {
      if (t instanceof SourceTask && t.rt.sourceName().equals(sourceName) && !t.done) {
        ((SourceTask) t).advanceWatermarkTo(watermark);
      }
    }
  }

  /** @return true when every task ended */
  public boolean allDone() {
    for (Task t : plan.tasks) {
      if (!t.done) {
        return false;
      }
    }
    return true;
  }

  /**
   * @param operatorName a keyed operator's name
   * @return its stores, name to (key to value), merged over the keyed tasks
   */
  public Map<String, Map<Object, Object>> stores(String operatorName) {
    Map<String, Map<Object, Object>> out = new LinkedHashMap<>();
    String prefix = operatorName + "/";
    for (Task t : plan.tasks) {
      for (Map.Entry<String, KeyValueStore<?, ?>> e : t.rt.state().stores().entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          Map<Object, Object> m = out.computeIfAbsent(e.getKey().substring(prefix.length()), k -> new LinkedHashMap<>());
          e.getValue().forEach(m::put);
        }
      }
    }
    return out;
  }

  /** @return per task id, the descriptions of the stores its operators created */
  public Map<String, Map<String, io.nip.state.StoreSpec<?, ?>>> storeSpecs() {
    Map<String, Map<String, io.nip.state.StoreSpec<?, ?>>> out = new LinkedHashMap<>();
    for (Task t : plan.tasks) {
      out.put(t.id(), new LinkedHashMap<>(t.rt.state().specs()));
    }
    return out;
  }

  /**
   * Creates, in each task, the stores that the tasks of an earlier plan had created (a restored
   * task otherwise creates a store only when its operator first asks for it), so that they can be
   * inspected right after a restore.
   *
   * @param specsByTask what {@link #storeSpecs()} returned for the earlier plan
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void createStores(Map<String, Map<String, io.nip.state.StoreSpec<?, ?>>> specsByTask) {
    for (Task t : plan.tasks) {
      Map<String, io.nip.state.StoreSpec<?, ?>> specs = specsByTask.get(t.id());
      if (specs != null) {
        for (Map.Entry<String, io.nip.state.StoreSpec<?, ?>> e : specs.entrySet()) {
          String operator = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
          t.rt.state().store(operator, (io.nip.state.StoreSpec) e.getValue());
        }
      }
    }
  }

  /** @return the names of all keyed operators */
  public List<String> keyedOperators() {
    List<String> names = new ArrayList<>();
    for (Task t : plan.tasks) {
      for (Operator op : t.rt.all) {
        if (op instanceof StoreHolder && !names.contains(((StoreHolder) op).name())) {
          names.add(((StoreHolder) op).name());
        }
      }
    }
    return names;
  }

  /** Commits final positions (like a completed run) and closes every task. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Task t : plan.tasks) {
      t.closeOperators();
      if (t instanceof SourceTask) {
        ((SourceTask) t).reader().close();
      }
    }
  }
}
