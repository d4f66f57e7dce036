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
 * same order, same outputs.
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
          progress |= t.runOnce(now);
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
    for (Task t : plan.tasks) {
      for (Operator op : t.rt.all) {
        if (op instanceof StoreHolder && ((StoreHolder) op).name().equals(operatorName)) {
          for (Map.Entry<String, KeyValueStore<?, ?>> e : ((StoreHolder) op).stores().entrySet()) {
            Map<Object, Object> m = out.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>());
            e.getValue().forEach(m::put);
          }
        }
      }
    }
    return out;
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
