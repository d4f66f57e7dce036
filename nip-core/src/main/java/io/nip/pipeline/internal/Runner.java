package io.nip.pipeline.internal;

import io.micrometer.core.instrument.FunctionCounter;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a plan on a fixed pool of worker threads. Tasks are assigned round-robin to workers; a
 * worker loops over its tasks, and when none made progress it parks with a short, growing backoff
 * (an inbox offer wakes it at once). The first task failure fails the pipeline: every worker stops,
 * closes its tasks, and {@link #failure()} reports the cause.
 *
 * <p>Completion: when every task is done (bounded sources exhausted, or stop requested and
 * drained), the runner commits final source positions, closes the readers and releases waiters.
 */
public final class Runner implements PipelineHandle {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
  private static final long MAX_PARK_NANOS = 1_000_000L;

  private final String pipelineName;
  private final PipelineConfig config;
  private final Plan plan;
  private final List<Thread> workers = new ArrayList<>();
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
      }
      for (SinkOp s : t.rt.sinks) {
        FunctionCounter.builder("nip.sink.records", s, x -> x.written)
            .description("records written to a sink")
            .tag("pipeline", pipelineName).tag("sink", s.sink().name()).tag("task", t.id())
            .register(registry);
      }
    }
  }

  /** Starts the workers. */
  public void start() {
    int n = Math.min(config.threads(), plan.tasks.size());
    List<List<Task>> assignment = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      assignment.add(new ArrayList<>());
    }
    for (int i = 0; i < plan.tasks.size(); i++) {
      assignment.get(i % n).add(plan.tasks.get(i));
    }
    status = Status.RUNNING;
    liveWorkers.set(n);
    for (int i = 0; i < n; i++) {
      List<Task> mine = assignment.get(i);
      Thread t = new Thread(() -> work(mine), "nip-" + pipelineName + "-worker-" + i);
      t.setDaemon(true);
      workers.add(t);
    }
    workers.forEach(Thread::start);
  }

  private void work(List<Task> mine) {
    Thread self = Thread.currentThread();
    for (Task t : mine) {
      t.bind(self);
    }
    long park = 1_000;
    List<Task> open = new ArrayList<>(mine);
    try {
      while (!open.isEmpty() && failure.get() == null) {
        long now = config.clock().millis();
        if (plan.checkpoints != null) {
          plan.checkpoints.maybeTrigger(now);
        }
        boolean progress = false;
        for (int i = 0; i < open.size(); i++) {
          Task t = open.get(i);
          progress |= t.runOnce(now);
          if (t.done) {
            open.remove(i--);
            if (plan.checkpoints != null) {
              plan.checkpoints.taskEnded(t.index);
            }
          }
        }
        if (progress) {
          park = 1_000;
        } else {
          LockSupport.parkNanos(park);
          park = Math.min(park * 2, MAX_PARK_NANOS);
        }
      }
    } catch (Throwable e) {
      if (failure.compareAndSet(null, e)) {
        LOG.error("pipeline '{}' failed", pipelineName, e);
      }
    } finally {
      for (Task t : mine) {
        try {
          t.closeOperators();
        } catch (RuntimeException e) {
          failure.compareAndSet(null, e);
        }
      }
      if (liveWorkers.decrementAndGet() == 0) {
        complete();
      }
    }
  }

  private void complete() {
    if (failure.get() == null) {
      try {
        for (Task t : plan.tasks) {
          if (t instanceof SourceTask) {
            ((SourceTask) t).finalCommit();
          }
        }
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      }
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
