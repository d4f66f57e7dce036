package io.nip.runtime.internal;

/**
 * A unit of scheduling: one source partition, or one key group of a keyed stage. A worker thread
 * calls {@link #runOnce} repeatedly; each call does a bounded amount of work and never blocks for
 * long (except mapAsync at its in-flight limit), so one thread can serve many tasks.
 */
public abstract class Task {
  final TaskRuntime rt;
  final int index;
  volatile boolean done;
  /** Set once its operators were closed; read by the runner only. */
  boolean closed;

  Task(TaskRuntime rt, int index) {
    this.rt = rt;
    this.index = index;
  }

  String id() {
    return rt.taskId();
  }

  /**
   * @param nowMillis the pipeline clock's time
   * @return true when the call made progress (read, emitted or handed over anything)
   */
  abstract boolean runOnce(long nowMillis);

  /** @return the task's snapshot taken when it ended, or null (no checkpoint storage, or not ended) */
  byte[] finalSnapshot() {
    return null;
  }

  /** @param wakeUp called when input arrives for this task from another thread, or null */
  void bind(Runnable wakeUp) {}

  /** Closes the task's operators and sink writers; called once, by the thread that ran it. */
  void closeOperators() {
    RuntimeException first = null;
    for (Operator op : rt.all) {
      try {
        op.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    try {
      rt.closeDeadLetters();
    } catch (RuntimeException e) {
      if (first == null) {
        first = e;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  boolean tickAll(long nowMillis) {
    boolean progress = false;
    for (Operator op : rt.tickers) {
      progress |= op.tick(nowMillis);
    }
    return progress;
  }

  /** @return true when every exchange of this task handed over all its batches */
  boolean flushExchanges() {
    boolean clear = true;
    for (ExchangeOp x : rt.exchanges) {
      clear &= x.flush();
    }
    return clear;
  }

  void commitSinks(long checkpointId) {
    for (SinkOp s : rt.sinks) {
      s.commit(checkpointId);
    }
  }
}
