package io.nip.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourceReader;
import io.nip.source.Sources;
import io.nip.time.NipClock;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowAggregator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * 5-minute tumbling windows per key with count, countDistinct(event type) and sum(value), over
 * 2,000,000 events and 10,000 keys (event time spread over about 2.8 hours, 5 s of disorder),
 * through the real runtime: 3 source partitions, key exchange, keyed window tasks. Reported as
 * time per event. The peer, {@link #plainLoop}, is the same job written by hand in one thread: a
 * hash map of open windows per key and the window ends in a sorted map, fired as the watermark
 * (largest time seen minus 30 s, as in NIP) passes them. The setup also measures the heap retained per open window (printed once), by
 * opening 100,000 windows in the test driver and comparing the used heap after full GCs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class WindowAggregateBenchmark {
  static final int EVENTS = 2_000_000;

  @Param({"2"})
  int threads;

  private List<GenericEvent> events;

  static WindowAggregator<GenericEvent, Map<String, Object>> aggregator() {
    return WindowAggregator.<GenericEvent>create()
        .aggregate("event_count", Aggregates.count())
        .aggregate("unique_event_types", Aggregates.countDistinct(GenericEvent::eventType))
        .aggregate("total_value", Aggregates.sum(e -> e.number("value")));
  }

  @Setup(Level.Trial)
  public void setUp() {
    GeneratorSpec spec = GeneratorSpec.builder().events(EVENTS).keys(10_000).seed(7).partitions(1)
        .timeStep(Duration.ofMillis(5)).maxDisorder(Duration.ofSeconds(5)).build();
    events = generate(spec);
    System.out.printf("%nbytes retained per open window (count + countDistinct + sum): %.0f%n",
        bytesPerOpenWindow(100_000));
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long tumbling5mCountDistinctSum(Blackhole bh) {
    BlackholeSink sink = new BlackholeSink(bh);
    Pipeline p = Pipeline.named("window-bench", PipelineConfig.builder().threads(threads).build());
    p.from(Sources.collection("events", events, 3))
        .keyBy(GenericEvent::key)
        .window(TumblingWindow.of(Duration.ofMinutes(5)))
        .aggregate(aggregator())
        .to(sink);
    p.start().awaitTermination();
    return sink.total();
  }

  /** One open window of the hand-written peer. */
  static final class PlainWindow {
    long count;
    final Set<String> types = new HashSet<>();
    double sum;
  }

  /** A final result of the hand-written peer. */
  record PlainResult(String key, long start, long end, long count, int types, double sum) {}

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long plainLoop(Blackhole bh) {
    final long size = Duration.ofMinutes(5).toMillis();
    final long bound = PipelineConfig.defaults().maxOutOfOrderness().toMillis();
    Map<String, Map<Long, PlainWindow>> open = new HashMap<>();
    TreeMap<Long, List<String>> ends = new TreeMap<>();
    long maxTime = Long.MIN_VALUE;
    long results = 0;
    for (GenericEvent e : events) {
      long t = e.eventTime().toEpochMilli();
      if (t > maxTime) {
        maxTime = t;
        results += firePlain(open, ends, maxTime - bound, size, bh);
      }
      long start = Math.floorDiv(t, size) * size;
      if (start + size <= maxTime - bound) {
        continue; // late
      }
      Map<Long, PlainWindow> byStart = open.computeIfAbsent(e.key(), k -> new HashMap<>());
      PlainWindow w = byStart.get(start);
      if (w == null) {
        w = new PlainWindow();
        byStart.put(start, w);
        ends.computeIfAbsent(start + size, x -> new ArrayList<>()).add(e.key());
      }
      w.count++;
      w.types.add(e.eventType());
      w.sum += e.number("value");
    }
    return results + firePlain(open, ends, Long.MAX_VALUE, size, bh);
  }

  private static long firePlain(Map<String, Map<Long, PlainWindow>> open, TreeMap<Long, List<String>> ends,
      long watermark, long size, Blackhole bh) {
    long n = 0;
    while (!ends.isEmpty() && ends.firstKey() <= watermark) {
      Map.Entry<Long, List<String>> due = ends.pollFirstEntry();
      long end = due.getKey();
      for (String key : due.getValue()) {
        Map<Long, PlainWindow> byStart = open.get(key);
        PlainWindow w = byStart.remove(end - size);
        if (byStart.isEmpty()) {
          open.remove(key);
        }
        bh.consume(new PlainResult(key, end - size, end, w.count, w.types.size(), w.sum));
        n++;
      }
    }
    return n;
  }

  /**
   * @param windows how many windows to open (one per key, all in the same 5 minutes)
   * @return heap bytes retained per open window
   */
  static double bytesPerOpenWindow(int windows) {
    Pipeline p = Pipeline.named("window-memory");
    p.from(Sources.collection("events", List.<GenericEvent>of()))
        .keyBy(GenericEvent::key)
        .window(TumblingWindow.of(Duration.ofMinutes(5)))
        .aggregate(aggregator())
        .to(Sinks.collecting("out"));
    List<GenericEvent> batch = new ArrayList<>(windows);
    GeneratorSpec spec = GeneratorSpec.builder().events(windows).keys(windows).seed(1).timeStep(Duration.ZERO)
        .maxDisorder(Duration.ZERO).build();
    List<GenericEvent> generated = generate(spec);
    for (int i = 0; i < windows; i++) {
      GenericEvent e = generated.get(i);
      batch.add(new GenericEvent(e.eventId(), "k" + i, e.eventType(), e.eventTime(), e.properties()));
    }
    generated.clear();
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      TestInput<GenericEvent> in = driver.input("events");
      long before = usedHeap();
      for (GenericEvent e : batch) {
        in.pipe(e);
      }
      long after = usedHeap();
      batch.clear();
      return (after - before) / (double) windows;
    }
  }

  /**
   * Reads the generator's events up front, through the public source SPI, so that generating them
   * is not part of the measured time.
   *
   * @param spec a generator with one partition and no rate limit
   * @return every event, in order
   */
  static List<GenericEvent> generate(GeneratorSpec spec) {
    if (spec.partitions() != 1 || spec.ratePerSecond() != 0) {
      throw new IllegalArgumentException("expected one unthrottled partition, got " + spec);
    }
    List<GenericEvent> events = new ArrayList<>((int) spec.events());
    SourceOutput<GenericEvent> output = new SourceOutput<>() {
      @Override
      public void emit(GenericEvent value, Object key, io.nip.event.Headers headers, byte[] rawBytes, long offset,
          long sourceTimestampMillis) {
        events.add(value);
      }

      @Override
      public void emit(GenericEvent value, Object key, io.nip.event.Headers headers, byte[] rawBytes,
          io.nip.source.SourcePosition position, long sourceTimestampMillis) {
        events.add(value);
      }

      @Override
      public void fail(byte[] rawBytes, io.nip.source.SourcePosition position, Throwable error) {
        throw new IllegalStateException("the generator failed at position " + position, error);
      }
    };
    SourceContext context = new SourceContext("window-aggregate-benchmark", NipClock.system(), new SimpleMeterRegistry());
    try (SourceReader<GenericEvent> reader = Sources.generator("events", spec).createReader(0, context, 0)) {
      while (reader.poll(output, 10_000) != SourceReader.Status.END_OF_INPUT) {
        // an unthrottled bounded generator never waits; poll until its end
      }
    }
    return events;
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
