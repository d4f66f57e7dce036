package io.nip.runtime.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nip.errors.NipException;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a plan on a fixed pool of worker threads that share one queue of ready tasks (see
 * {@link #work}). The first task failure fails the pipeline: every worker stops,
 * closes its tasks, and {@link #failure()} reports the cause.
 *
 * <p>Completion: when every task is done (bounded sources exhausted, or stop requested and
 * drained), the runner commits final source positions, closes the readers and releases waiters.
 */
public final class Runner implements PipelineHandle {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
  private static final long MAX_PARK_NANOS = 1_000_000L;
  /** How long a failed pipeline waits for a commit in progress before it closes the changelog. */
  private static final long COMMITTER_CLOSE_MILLIS = 30_000;

  private final String pipelineName;
  private final PipelineConfig config;
  private final Plan plan;
  private final List<Thread> workers = new ArrayList<>();
  private final ConcurrentLinkedQueue<Task> ready = new ConcurrentLinkedQueue<>();
  private final AtomicInteger openTasks = new AtomicInteger();
  private Thread[] threads;
  private AtomicIntegerArray parked;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicInteger liveWorkers = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Status status = Status.CREATED;

  /**
   * @param pipelineName the pipeline name (thread names, metrics)
   * @param config the configuration
   * @param plan the planned tasks
   */
  public Runner(String pipelineName, PipelineConfig config, Plan plan) {
    this.pipelineName = pipelineName;
    this.config = config;
    this.plan = plan;
    registerMetrics(config.meterRegistry());
  }

  private void registerMetrics(MeterRegistry registry) {
    for (Task t : plan.tasks) {
      if (t instanceof SourceTask) {
        SourceTask st = (SourceTask) t;
        FunctionCounter.builder("nip.source.records", st, s -> s.recordsIn)
            .description("records read from a source partition")
            .tag("pipeline", pipelineName).tag("source", st.rt.sourceName()).tag("task", st.id())
            .register(registry);
        Gauge.builder("nip.watermark.lag", st.rt, this::watermarkLagMillis)
            .description("the pipeline clock minus a source partition's watermark; NaN before the"
                + " first watermark and after the end of input")
            .baseUnit("milliseconds")
            .tag("pipeline", pipelineName).tag("source", st.rt.sourceName()).tag("task", st.id())
            .register(registry);
      }
      if (t instanceof KeyedTask && ((KeyedTask) t).aligns()) {
        Gauge.builder("nip.watermark.alignment.paused", (KeyedTask) t, KeyedTask::alignedChannels)
            .description("input channels of a keyed task held back by watermark alignment")
            .tag("pipeline", pipelineName).tag("task", t.id())
            .register(registry);
      }
      for (SinkOp s : t.rt.sinks) {
        FunctionCounter.builder("nip.sink.records", s, x -> x.written)
            .description("records written to a sink")
            .tag("pipeline", pipelineName).tag("sink", s.sink().name()).tag("task", t.id())
            .register(registry);
      }
    }
  }

  /** Read by the gauge from any thread: a stale watermark only makes one reading late. */
  private double watermarkLagMillis(TaskRuntime rt) {
    long wm = rt.watermark;
    return wm == Long.MIN_VALUE || wm == Long.MAX_VALUE ? Double.NaN : config.clock().millis() - wm;
  }

  /** Starts the workers. */
  public void start() {
    int n = Math.min(config.threads(), plan.tasks.size());
    threads = new Thread[n];
    parked = new AtomicIntegerArray(n);
    Runnable wake = this::wakeOne;
    for (Task t : plan.tasks) {
      t.bind(wake);
    }
    openTasks.set(plan.tasks.size());
    ready.addAll(plan.tasks);
    if (plan.checkpoints != null) {
      plan.checkpoints.commitInBackground("nip-" + pipelineName + "-committer");
    }
    status = Status.RUNNING;
    liveWorkers.set(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      Thread t = new Thread(() -> work(index), "nip-" + pipelineName + "-worker-" + i);
      t.setDaemon(true);
      threads[i] = t;
      workers.add(t);
    }
    workers.forEach(Thread::start);
  }

  /**
   * A worker takes the next ready task, runs one round of it and puts it back: every task is run by
   * one thread at a time, and no thread sits idle while another has more tasks than it can serve.
   * After a full lap without progress it parks with a growing backoff; input arriving at an inbox
   * wakes a parked worker. The queue hand-over orders each task's rounds across threads.
   */
  private void work(int index) {
    long park = 1_000;
    int idleRuns = 0;
    try {
      while (failure.get() == null && openTasks.get() > 0) {
        Task t = ready.poll();
        if (t == null) {
          park(index, park);
          park = Math.min(park * 2, MAX_PARK_NANOS);
          continue;
        }
        long now = config.clock().millis();
        if (plan.checkpoints != null) {
          plan.checkpoints.maybeTrigger(now);
        }
        boolean progress;
        try {
          progress = t.runOnce(now);
        } catch (Throwable e) {
          ready.add(t);
          throw e;
        }
        if (t.done) {
          finished(t);
          progress = true;
        } else {
          ready.add(t);
        }
        if (progress) {
          idleRuns = 0;
          park = 1_000;
        } else if (++idleRuns >= plan.tasks.size()) {
          idleRuns = 0;
          park(index, park);
          park = Math.min(park * 2, MAX_PARK_NANOS);
        }
      }
    } catch (Throwable e) {
      if (failure.compareAndSet(null, e)) {
        logFailure(e);
      }
    } finally {
      if (liveWorkers.decrementAndGet() == 0) {
        for (Task t : plan.tasks) {
          if (!t.closed) {
            close(t);
          }
        }
        complete();
      }
    }
  }

  /**
   * The failure reaches the caller whole through {@link #awaitTermination()} and {@link #failure()},
   * so it is logged here as one line (with the messages of its causes); the stack trace only at
   * DEBUG, so that it is not printed twice, and not at all where a test expects the failure.
   */
  private void logFailure(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e));
    int depth = 0;
    for (Throwable c = e.getCause(); c != null && depth++ < 8; c = c.getCause()) {
      if (text.indexOf(String.valueOf(c)) < 0) {
        text.append("; caused by ").append(c);
      }
    }
    LOG.error("pipeline '{}' failed: {} (awaitTermination() rethrows it; stack trace at DEBUG)",
        pipelineName, text);
    LOG.debug("pipeline '{}' failed", pipelineName, e);
  }

  private void finished(Task t) {
    openTasks.decrementAndGet();
    if (plan.checkpoints != null) {
      plan.checkpoints.taskEnded(t.index, t.finalSnapshot());
    }
    close(t);
  }

  private void close(Task t) {
    t.closed = true;
    try {
      t.closeOperators();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  private void park(int index, long nanos) {
    parked.set(index, 1);
    if (ready.isEmpty() || nanos > 1_000) {
      LockSupport.parkNanos(nanos);
    }
    parked.set(index, 0);
  }

  private void wakeOne() {
    for (int i = 0; i < threads.length; i++) {
      if (parked.get(i) == 1) {
        LockSupport.unpark(threads[i]);
        return;
      }
    }
  }

  private void complete() {
    if (failure.get() == null) {
      try {
        if (plan.checkpoints != null) {
          plan.checkpoints.completeFinal();
        }
        for (Task t : plan.tasks) {
          if (t instanceof SourceTask) {
            ((SourceTask) t).finalCommit();
          }
        }
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      }
    }
    if (plan.checkpoints != null) {
      plan.checkpoints.closeCommitter(COMMITTER_CLOSE_MILLIS); // before the changelog closes
    }
    for (Task t : plan.tasks) {
      if (t instanceof SourceTask) {
        try {
          ((SourceTask) t).reader().close();
        } catch (RuntimeException e) {
          LOG.warn("closing the reader of {} failed", t.id(), e);
        }
      }
    }
    plan.closeResources();
    status = failure.get() == null ? Status.COMPLETED : Status.FAILED;
    terminated.countDown();
  }

  @Override
  public boolean awaitTermination(Duration timeout) {
    try {
      boolean ended = terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (ended) {
        rethrow();
      }
      return ended;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NipException("interrupted while waiting for pipeline '" + pipelineName + "'", e);
    }
  }

  @Override
  public void awaitTermination() {
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NipException("interrupted while waiting for pipeline '" + pipelineName + "'", e);
    }
    rethrow();
  }

  private void rethrow() {
    Throwable f = failure.get();
    if (f instanceof NipException) {
      throw (NipException) f;
    }
    if (f != null) {
      throw new NipException("pipeline '" + pipelineName + "' failed: " + f, f);
    }
  }

  @Override
  public void stop() {
    if (status == Status.RUNNING) {
      status = Status.STOPPING;
    }
    for (Task t : plan.tasks) {
      if (t instanceof SourceTask) {
        ((SourceTask) t).requestStop();
      }
    }
  }

  @Override
  public void close() {
    stop();
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public Status status() {
    return status;
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }
}
