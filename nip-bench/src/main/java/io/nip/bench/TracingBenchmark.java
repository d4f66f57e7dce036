package io.nip.bench;

import io.nip.monitoring.SamplerType;
import io.nip.monitoring.TracingManager;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.Stream;
import io.nip.source.Sources;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a traced step ({@code TracingManager.trace(name).map(...)}) costs per record: the
 * filter → map → sink pipeline of {@link FilterMapBenchmark} on one worker thread, its map step
 * plain ({@link #untraced}) or traced ({@link #traced}) at the sampling rate {@link #rate}; spans go
 * through the SDK's batch processor to an exporter that counts and drops them, so the export's
 * encoding and I/O are not part of the figure (they run on the SDK's thread in a real deployment).
 *
 * <p>Results read as ratios: {@link #traced} score divided by {@link #untraced} score of the same
 * run, per rate. The records come from an in-memory source, so they carry no headers and every
 * traced record starts a new trace (the common case of a pipeline's first traced step).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(TracingBenchmark.RECORDS)
@State(Scope.Benchmark)
public class TracingBenchmark {
  /** Records per invocation. */
  public static final int RECORDS = 1_000_000;

  /** The fraction of new traces sampled. */
  @Param({"0.01"})
  public double rate;

  private List<Click> data;
  private long expected;
  private TracingManager tracing;
  private final AtomicLong exported = new AtomicLong();

  /** Builds the input and the tracing manager once per trial, with a fixed seed. */
  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    List<Click> clicks = new ArrayList<>(RECORDS);
    String[] types = {"view", "click", "purchase"};
    for (int i = 0; i < RECORDS; i++) {
      clicks.add(new Click((i % 20 == 0 ? "bot_" : "user_") + random.nextInt(10_000),
          types[random.nextInt(types.length)], random.nextDouble(0, 500)));
    }
    data = List.copyOf(clicks);
    expected = data.stream().filter(FilterMapBenchmark.FILTER).count();
    tracing = TracingManager.builder("nip-bench").sampler(SamplerType.PROBABILISTIC, rate)
        .exporter(new CountingExporter(exported)).build();
  }

  /** Ends tracing (its exporter drops the last spans). */
  @TearDown(Level.Trial)
  public void tearDown() {
    tracing.close();
  }

  /** The peer: the same pipeline with a plain map step. */
  @Benchmark
  public long untraced(Blackhole bh) {
    return run(bh, false);
  }

  /** The map step traced: a span for {@link #rate} of the records, W3C context in every record's headers. */
  @Benchmark
  public long traced(Blackhole bh) {
    return run(bh, true);
  }

  private long run(Blackhole bh, boolean traced) {
    BlackholeSink sink = new BlackholeSink(bh);
    Pipeline p = Pipeline.named("bench", PipelineConfig.builder().threads(1).build());
    Stream<Click> kept = p.from(Sources.collection("in", data, 1)).filter(FilterMapBenchmark.FILTER);
    (traced ? tracing.trace("process").map(kept, FilterMapBenchmark.MAP) : kept.map(FilterMapBenchmark.MAP)).to(sink);
    p.start().awaitTermination();
    if (sink.total() != expected) {
      throw new IllegalStateException("processed " + sink.total() + " records, expected " + expected);
    }
    return sink.total();
  }

  /** Counts the spans handed to it and drops them. */
  private static final class CountingExporter implements SpanExporter {
    private final AtomicLong count;

    CountingExporter(AtomicLong count) {
      this.count = count;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      count.addAndGet(spans.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
