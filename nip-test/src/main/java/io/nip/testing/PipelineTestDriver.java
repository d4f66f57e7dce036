package io.nip.testing;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.testing.internal.DriverEngine;
import io.nip.sink.Sink;
import io.nip.source.Source;
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

  private PipelineTestDriver(Pipeline pipeline, Instant start, boolean boundEventTime) {
    this.clock = new ManualClock(start);
    this.engine = new DriverEngine(pipeline, clock, original -> {
      TestInput<?> in = new TestInput<>(this, original.name());
      inputs.put(original.name(), in);
      return in.asSource();
    }, boundEventTime);
    for (Sink<?> s : engine.sinks()) {
      sinks.put(s.name(), s);
    }
    engine.runner().runUntilQuiescent();
  }

  /**
   * A driver whose virtual clock starts at the epoch, unrelated to the event times piped in: the
   * pipeline's {@code maxEventTimeAhead} bound does not apply.
   *
   * @param pipeline a pipeline not yet started
   * @return a driver whose virtual clock starts at the epoch
   */
  public static PipelineTestDriver of(Pipeline pipeline) {
    Objects.requireNonNull(pipeline, "pipeline");
    return new PipelineTestDriver(pipeline, Instant.EPOCH, false);
  }

  /**
   * A driver whose virtual clock starts at a given time; event times more than the pipeline's
   * {@code maxEventTimeAhead} ahead of that clock are bad input, as in a running pipeline.
   *
   * @param pipeline a pipeline not yet started
   * @param wallClockStart the virtual wall-clock time at start
   * @return the driver
   */
  public static PipelineTestDriver of(Pipeline pipeline, Instant wallClockStart) {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(wallClockStart, "wallClockStart");
    return new PipelineTestDriver(pipeline, wallClockStart, true);
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
      engine.runner().advanceWatermark(name, watermark.toEpochMilli());
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
    Map<String, Map<Object, Object>> stores = engine.runner().stores(operatorName);
    if (!engine.runner().keyedOperators().contains(operatorName)) {
      throw ConfigurationException.invalid("operator", "'" + operatorName + "'",
          "must be one of the keyed operators " + engine.runner().keyedOperators());
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
    return engine.runner().allDone();
  }

  void settle() {
    engine.runner().runUntilQuiescent();
  }

  void advanceWatermark(String source, Instant watermark) {
    engine.runner().advanceWatermark(source, watermark.toEpochMilli());
    settle();
  }

  @Override
  public void close() {
    engine.runner().close();
  }
}
