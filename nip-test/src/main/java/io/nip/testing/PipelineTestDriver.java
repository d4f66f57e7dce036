package io.nip.testing;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.testing.internal.DriverEngine;
import io.nip.testing.internal.InMemoryCheckpointStorage;
import io.nip.sink.Sink;
import io.nip.source.Source;
import io.nip.state.CheckpointStorage;
import io.nip.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs any pipeline in-process, single-threaded, on a virtual clock: pipe records with timestamps,
 * advance event time and wall-clock time, read what each sink received, inspect keyed state. No
 * threads, no sleeps; every call returns once the pipeline has settled.
 *
 * <pre>{@code
 * try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, Instant.parse("2026-01-17T17:00:00Z"))) {
 *   driver.input("clicks").pipe(click, Instant.parse("2026-01-17T17:00:05Z"));
 *   assertThat(driver.output(sink)).containsExactly(expected);
 * }
 * }</pre>
 *
 * <p>The pipeline's sources are replaced by {@link TestInput}s of the same names (one partition
 * each); keyed stages run one task. The pipeline's clock is replaced by a {@link ManualClock}.
 */
public final class PipelineTestDriver implements AutoCloseable {
  private final ManualClock clock;
  private final Map<String, TestInput<?>> inputs = new LinkedHashMap<>();
  private final Map<String, Sink<?>> sinks = new LinkedHashMap<>();
  private final DriverEngine engine;
  private final DriverMode mode;

  private PipelineTestDriver(Pipeline pipeline, Instant start, DriverMode mode, CheckpointStorage storage,
      boolean boundEventTime) {
    this.clock = new ManualClock(start);
    this.mode = mode;
    boolean restoring = mode == DriverMode.RESTORE_BETWEEN_RECORDS;
    boolean stepwise = restoring || mode == DriverMode.PARALLEL;
    this.engine = new DriverEngine(pipeline, clock, original -> {
      TestInput<?> in = new TestInput<>(this, original.name());
      if (stepwise) {
        in.revealStepwise();
      }
      inputs.put(original.name(), in);
      return in.asSource();
    }, mode == DriverMode.PARALLEL ? DriverMode.PARALLEL_TASKS : 1, restoring,
        storage != null ? storage : mode == DriverMode.PARALLEL ? new InMemoryCheckpointStorage() : null,
        boundEventTime);
    for (Sink<?> s : engine.sinks()) {
      sinks.put(s.name(), s);
    }
    engine.runUntilQuiescent();
  }

  /**
   * A driver whose virtual clock starts at the epoch, unrelated to the event times piped in: the
   * pipeline's {@code maxEventTimeAhead} bound does not apply.
   *
   * @param pipeline a pipeline not yet started
   * @return a driver whose virtual clock starts at the epoch, in the mode that the system property
   *     {@value DriverMode#PROPERTY} names ({@link DriverMode#PLAIN} when unset)
   */
  public static PipelineTestDriver of(Pipeline pipeline) {
    Objects.requireNonNull(pipeline, "pipeline");
    return new PipelineTestDriver(pipeline, Instant.EPOCH, DriverMode.fromSystemProperty(), null, false);
  }

  /**
   * A driver whose virtual clock starts at a given time; event times more than the pipeline's
   * {@code maxEventTimeAhead} ahead of that clock are bad input, as in a running pipeline.
   *
   * @param pipeline a pipeline not yet started
   * @param wallClockStart the virtual wall-clock time at start
   * @return the driver, in the mode that the system property {@value DriverMode#PROPERTY} names
   */
  public static PipelineTestDriver of(Pipeline pipeline, Instant wallClockStart) {
    return of(pipeline, wallClockStart, DriverMode.fromSystemProperty());
  }

  /**
   * @param pipeline a pipeline not yet started
   * @param wallClockStart the virtual wall-clock time at start
   * @param mode how hostile the driver is to the pipeline
   * @return the driver
   */
  public static PipelineTestDriver of(Pipeline pipeline, Instant wallClockStart, DriverMode mode) {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(wallClockStart, "wallClockStart");
    Objects.requireNonNull(mode, "mode");
    return new PipelineTestDriver(pipeline, wallClockStart, mode, null, true);
  }

  /**
   * A driver that checkpoints into {@code storage} when asked ({@link #checkpoint()}) and, when the
   * storage already holds a completed checkpoint, starts restored from it — the way to test what a
   * pipeline does after a restart. Inputs behave like durable logs: a restored input resumes
   * reading at the position the checkpoint recorded, so pipe the whole input again.
   *
   * <pre>{@code
   * CheckpointStorage storage = CheckpointStorage.localDirectory(tmp);
   * try (var first = PipelineTestDriver.withCheckpoints(build(), Instant.EPOCH, storage)) {
   *   first.input("in").pipeAll(a, b);
   *   first.checkpoint();
   * }
   * try (var second = PipelineTestDriver.withCheckpoints(build(), Instant.EPOCH, storage)) {
   *   second.input("in").pipeAll(a, b, c);   // a and b are skipped: they were before the checkpoint
   * }
   * }</pre>
   *
   * @param pipeline a pipeline not yet started
   * @param wallClockStart the virtual wall-clock time at start
   * @param storage where checkpoints go and are restored from
   * @return the driver
   */
  public static PipelineTestDriver withCheckpoints(Pipeline pipeline, Instant wallClockStart,
      CheckpointStorage storage) {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(wallClockStart, "wallClockStart");
    Objects.requireNonNull(storage, "storage");
    return new PipelineTestDriver(pipeline, wallClockStart, DriverMode.PLAIN, storage, true);
  }

  /**
   * Takes a checkpoint now: every task snapshots at the barrier and the checkpoint completes in the
   * driver's storage.
   *
   * @throws IllegalStateException when the driver was not created {@link #withCheckpoints}
   */
  public void checkpoint() {
    engine.checkpoint();
  }

  /** @return the driver's mode */
  public DriverMode mode() {
    return mode;
  }

  /** @return how many times the pipeline's tasks were thrown away and restored from a checkpoint */
  public int restores() {
    return engine.restores();
  }

  /**
   * @param sourceName the name of one of the pipeline's sources
   * @param <T> its value type
   * @return the input standing in for it
   */
  @SuppressWarnings("unchecked")
  public <T> TestInput<T> input(String sourceName) {
    TestInput<?> in = inputs.get(sourceName);
    if (in == null) {
      throw ConfigurationException.invalid("source", "'" + sourceName + "'", "must be one of " + inputs.keySet());
    }
    return (TestInput<T>) in;
  }

  /**
   * @param source one of the pipeline's sources
   * @param <T> its value type
   * @return the input standing in for it
   */
  public <T> TestInput<T> input(Source<T> source) {
    return input(source.name());
  }

  /**
   * @param sink a sink of the pipeline
   * @param <T> its value type
   * @return every record written to it so far, in order
   */
  @SuppressWarnings("unchecked")
  public <T> List<T> output(Sink<T> sink) {
    return Collections.unmodifiableList(new ArrayList<>((List<T>) (List<?>) engine.capture().output(sink)));
  }

  /**
   * @param sinkName the name of a sink of the pipeline (dead-letter sinks included)
   * @return every record written to it so far
   */
  public List<Object> output(String sinkName) {
    for (Map.Entry<Sink<?>, List<Object>> e : engine.capture().all().entrySet()) {
      if (e.getKey().name().equals(sinkName)) {
        return Collections.unmodifiableList(new ArrayList<>(e.getValue()));
      }
    }
    if (sinks.containsKey(sinkName)) {
      return List.of();
    }
    throw ConfigurationException.invalid("sink", "'" + sinkName + "'", "must be one of " + sinks.keySet());
  }

  /**
   * Moves the watermark of every input to at least {@code watermark}.
   *
   * @param watermark the new event time
   */
  public void advanceEventTime(Instant watermark) {
    for (String name : inputs.keySet()) {
      engine.advanceWatermark(name, watermark.toEpochMilli());
    }
    settle();
  }

  /**
   * Moves the virtual wall clock, firing processing-time timers and idle timeouts.
   *
   * @param duration how far
   */
  public void advanceWallClockTime(Duration duration) {
    clock.advance(duration);
    settle();
  }

  /** @return the virtual wall-clock time */
  public Instant wallClockTime() {
    return clock.instant();
  }

  /**
   * @param operatorName the name of a keyed operator
   * @param storeName one of its stores (a {@code valueState} name, for instance)
   * @return the store's live entries, key to value
   */
  public Map<Object, Object> state(String operatorName, String storeName) {
    Map<String, Map<Object, Object>> stores = engine.stores(operatorName);
    if (!engine.keyedOperators().contains(operatorName)) {
      throw ConfigurationException.invalid("operator", "'" + operatorName + "'",
          "must be one of the keyed operators " + engine.keyedOperators());
    }
    return Collections.unmodifiableMap(stores.getOrDefault(storeName, Map.of()));
  }

  /** Ends every input: watermarks move to the end of time, windows fire, the pipeline completes. */
  public void endAllInputs() {
    for (TestInput<?> in : inputs.values()) {
      in.end();
    }
  }

  /** @return true when every task has ended */
  public boolean isCompleted() {
    return engine.allDone();
  }

  void settle() {
    engine.runUntilQuiescent();
    if (mode != DriverMode.PLAIN) {
      boolean revealed = true;
      while (revealed) {
        revealed = false;
        for (TestInput<?> in : inputs.values()) {
          if (in.revealOne()) {
            revealed = true;
            engine.runUntilQuiescent();
            if (mode == DriverMode.RESTORE_BETWEEN_RECORDS) {
              engine.checkpointAndRestore();
            } else {
              engine.checkpoint();
            }
          }
        }
      }
      engine.runUntilQuiescent();
    }
  }

  void advanceWatermark(String source, Instant watermark) {
    engine.advanceWatermark(source, watermark.toEpochMilli());
    settle();
  }

  @Override
  public void close() {
    engine.close();
  }
}
