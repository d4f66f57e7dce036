package io.nip.bench;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.source.Sources;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * filter → map → sink over an in-memory source, against the same work done by a plain Java loop
 * over the same list (the physical limit of the machine for this work).
 *
 * <p>Every invocation processes all {@link #RECORDS} records once; {@code @OperationsPerInvocation}
 * makes JMH report per record, so the score reads as records per second. Both sides call the same
 * {@link #FILTER} and {@link #MAP} objects and hand each result to the JMH {@link Blackhole}. The NIP
 * side builds, starts and awaits a whole pipeline per invocation, so its score includes planning
 * and thread start (about 0.3 ms, 0.3 ns per record). The input is an unmodifiable list, which the
 * collection source keeps without copying; {@link #nipOneThreadFromArrayList} shows the cost of
 * the copy a mutable list gets.
 *
 * <p>Results read as ratios: {@code nip*} score divided by {@code plainLoop} score of the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(FilterMapBenchmark.RECORDS)
@State(Scope.Benchmark)
public class FilterMapBenchmark {
  /** Records per invocation. */
  public static final int RECORDS = 1_000_000;

  /** Keeps humans' purchases and clicks: about half the records. */
  static final Predicate<Click> FILTER =
      c -> !c.userId().startsWith("bot_") && !c.eventType().equals("view");

  /** Builds one new record per kept input. */
  static final Function<Click, Amount> MAP = c -> new Amount(c.userId(), Math.round(c.value() * 100));

  /** The input as an unmodifiable list, which {@code Sources.collection} uses without copying. */
  private List<Click> data;
  /** The same records in an ArrayList, which {@code Sources.collection} copies on every build. */
  private ArrayList<Click> arrayList;
  private long expected;

  /** Builds the input once per trial, with a fixed seed. */
  @Setup(Level.Trial)
  public void buildData() {
    SplittableRandom random = new SplittableRandom(42);
    String[] users = new String[10_000];
    for (int i = 0; i < users.length; i++) {
      users[i] = (i % 20 == 0 ? "bot_" : "user_") + i;
    }
    String[] types = {"view", "click", "purchase"};
    arrayList = new ArrayList<>(RECORDS);
    for (int i = 0; i < RECORDS; i++) {
      arrayList.add(new Click(users[random.nextInt(users.length)], types[random.nextInt(types.length)],
          random.nextDouble(0, 500)));
    }
    data = List.copyOf(arrayList);
    expected = data.stream().filter(FILTER).count();
  }

  /** The peer: the same filter and map in a for loop, results into the same blackhole. */
  @Benchmark
  public long plainLoop(Blackhole bh) {
    long count = 0;
    for (int i = 0, n = data.size(); i < n; i++) {
      Click c = data.get(i);
      if (FILTER.test(c)) {
        bh.consume(MAP.apply(c));
        count++;
      }
    }
    return check(count);
  }

  /** One partition, one worker thread: the fused chain on a single core. */
  @Benchmark
  public long nipOneThread(Blackhole bh) {
    return runPipeline(bh, 1, 1);
  }

  /** Three partitions on two worker threads: the same work spread over the machine's two cores. */
  @Benchmark
  public long nipThreePartitionsTwoThreads(Blackhole bh) {
    return runPipeline(bh, 3, 2);
  }

  /**
   * As {@link #nipOneThread}, from the ArrayList: the source makes its defensive copy of the
   * million references on every invocation, which shows what that copy costs per record.
   */
  @Benchmark
  public long nipOneThreadFromArrayList(Blackhole bh) {
    return runPipeline(bh, arrayList, 1, 1);
  }

  private long runPipeline(Blackhole bh, int partitions, int threads) {
    return runPipeline(bh, data, partitions, threads);
  }

  private long runPipeline(Blackhole bh, List<Click> input, int partitions, int threads) {
    BlackholeSink sink = new BlackholeSink(bh);
    Pipeline p = Pipeline.named("bench", PipelineConfig.builder().threads(threads).build());
    p.from(Sources.collection("in", input, partitions)).filter(FILTER).map(MAP).to(sink);
    p.start().awaitTermination();
    return check(sink.total());
  }

  private long check(long count) {
    if (count != expected) {
      throw new IllegalStateException("processed " + count + " records, expected " + expected);
    }
    return count;
  }
}
