package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * mapAsync on the threaded runtime, with futures completed by another thread after random small
 * delays: ordered mode keeps the input order and loses nothing; unordered mode loses nothing and
 * never has more than maxInFlight calls started but not yet emitted.
 */
class MapAsyncProperties {
  private static final ScheduledExecutorService COMPLETER = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "map-async-properties-completer");
    t.setDaemon(true);
    return t;
  });

  @AfterContainer
  static void shutdown() {
    COMPLETER.shutdownNow();
  }

  /** What one run observed. */
  private record Run(List<Integer> out, long maxStartedNotEmitted) {}

  private static Run run(List<Integer> delaysMs, AsyncOptions options, int threads) {
    List<Integer> input = new ArrayList<>();
    for (int i = 0; i < delaysMs.size(); i++) {
      input.add(i);
    }
    AtomicInteger started = new AtomicInteger();
    AtomicInteger emitted = new AtomicInteger();
    AtomicLong maxOutstanding = new AtomicLong();
    Pipeline p = Pipeline.named("async-prop", PipelineConfig.builder().threads(threads).build());
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.collection("in", input))
        .mapAsync(i -> {
          long outstanding = started.incrementAndGet() - emitted.get();
          maxOutstanding.accumulateAndGet(outstanding, Math::max);
          CompletableFuture<Integer> f = new CompletableFuture<>();
          COMPLETER.schedule(() -> f.complete(i), delaysMs.get(i), TimeUnit.MILLISECONDS);
          return f;
        }, options)
        .peek(i -> emitted.incrementAndGet())
        .to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(20))).as("run ended").isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    assertThat(started.get()).isEqualTo(input.size());
    return new Run(out.values(), maxOutstanding.get());
  }

  @Property(tries = 30)
  void ordered_mapAsync_keeps_the_input_order_and_loses_nothing(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> delaysMs,
      @ForAll @IntRange(min = 1, max = 8) int maxInFlight,
      @ForAll @IntRange(min = 1, max = 2) int threads) {
    // When
    Run r = run(delaysMs, AsyncOptions.ordered(maxInFlight), threads);
    // Then
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < delaysMs.size(); i++) {
      expected.add(i);
    }
    assertThat(r.out()).containsExactlyElementsOf(expected);
    assertThat(r.maxStartedNotEmitted()).isLessThanOrEqualTo(maxInFlight);
  }

  @Property(tries = 30)
  void unordered_mapAsync_loses_nothing_and_respects_maxInFlight(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> delaysMs,
      @ForAll @IntRange(min = 1, max = 8) int maxInFlight,
      @ForAll @IntRange(min = 1, max = 2) int threads) {
    // When
    Run r = run(delaysMs, AsyncOptions.unordered(maxInFlight), threads);
    // Then
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < delaysMs.size(); i++) {
      expected.add(i);
    }
    assertThat(r.out()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(r.maxStartedNotEmitted()).isLessThanOrEqualTo(maxInFlight);
  }
}
