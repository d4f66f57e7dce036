package io.nip.pipeline;

import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** mapAsync on the test driver, with futures already completed or completed by another thread. */
class MapAsyncTest {
  private ScheduledExecutorService executor;

  @BeforeEach
  void startExecutor() {
    executor = Executors.newScheduledThreadPool(2);
  }

  @AfterEach
  void stopExecutor() {
    executor.shutdownNow();
  }

  /** Completes the call for {@code i} after {@code delayMs} on the executor. */
  private CompletableFuture<String> later(int i, long delayMs) {
    CompletableFuture<String> f = new CompletableFuture<>();
    executor.schedule(() -> f.complete("r" + i), delayMs, TimeUnit.MILLISECONDS);
    return f;
  }

  @Test
  void when_futures_are_already_completed_then_results_leave_at_once_in_order() {
    // Given
    Pipeline p = Pipeline.named("async-done");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .mapAsync(i -> CompletableFuture.completedFuture("r" + i), AsyncOptions.ordered(4))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<Integer>input("in").pipe(1);
      // Then
      assertThat(driver.output(out)).containsExactly("r1");
      driver.<Integer>input("in").pipeAll(2, 3);
      assertThat(driver.output(out)).containsExactly("r1", "r2", "r3");
    }
  }

  @Test
  void when_ordered_and_later_calls_complete_first_then_results_still_leave_in_input_order() {
    // Given: the first record takes longest
    Pipeline p = Pipeline.named("async-ordered");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .mapAsync(i -> later(i, (5 - i) * 15L), AsyncOptions.ordered(8))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<Integer>input("in").pipeAll(1, 2, 3, 4);
      driver.endAllInputs();
      // Then
      assertThat(driver.output(out)).containsExactly("r1", "r2", "r3", "r4");
    }
  }

  @Test
  void when_unordered_then_results_leave_as_they_complete_and_none_is_lost() {
    // Given: 1 takes 200 ms, 2 completes at once
    Pipeline p = Pipeline.named("async-unordered");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .mapAsync(i -> i == 1 ? later(i, 200) : CompletableFuture.completedFuture("r" + i), AsyncOptions.unordered(8))
        .to(out);
    // PLAIN: in the hostile modes a checkpoint barrier follows every record, and a barrier waits for
    // the calls in flight before it (an unordered stage orders nothing across a barrier)
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, java.time.Instant.EPOCH, DriverMode.PLAIN)) {
      // When
      driver.<Integer>input("in").pipeAll(1, 2);
      // Then: 2 did not wait for 1
      assertThat(driver.output(out)).startsWith("r2");
      driver.endAllInputs();
      assertThat(driver.output(out)).containsExactly("r2", "r1");
    }
  }

  @Test
  void when_the_in_flight_limit_is_reached_then_no_more_calls_start_until_one_is_emitted() {
    // Given: every future completes only when the test says so
    Map<Integer, CompletableFuture<String>> calls = new ConcurrentHashMap<>();
    List<Integer> started = new ArrayList<>();
    Pipeline p = Pipeline.named("async-bound");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .mapAsync(i -> {
          synchronized (started) {
            started.add(i);
          }
          CompletableFuture<String> f = new CompletableFuture<>();
          calls.put(i, f);
          if (i <= 2) {
            // the first two complete on another thread after a while
            executor.schedule(() -> f.complete("r" + i), 30, TimeUnit.MILLISECONDS);
          } else {
            f.complete("r" + i);
          }
          return f;
        }, AsyncOptions.ordered(2))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<Integer>input("in").pipeAll(1, 2, 3);
      driver.endAllInputs();
      // Then: call 3 could start only after 1 was emitted, and everything arrived in order
      assertThat(started).containsExactly(1, 2, 3);
      assertThat(driver.output(out)).containsExactly("r1", "r2", "r3");
    }
  }

  @Test
  void when_futures_complete_on_another_thread_then_a_settled_driver_has_their_results() {
    // Given
    Pipeline p = Pipeline.named("async-settle");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .mapAsync(i -> later(i, 20), AsyncOptions.ordered(4))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When: pipe returns once the pipeline has settled
      driver.<Integer>input("in").pipeAll(1, 2);
      // Then: without ending the input, the results are there
      assertThat(driver.output(out)).containsExactly("r1", "r2");
      assertThat(driver.isCompleted()).isFalse();
    }
  }

  @Test
  void when_an_async_call_fails_later_then_its_dead_letter_names_its_own_record_position_and_time() {
    // Given: the call for "bad" fails after the next record was read
    CollectingSink<io.nip.errors.DeadLetter> dlq = Sinks.collecting("dlq");
    Pipeline p = Pipeline.named("async-dlq",
        PipelineConfig.builder().errorPolicy(io.nip.errors.ErrorPolicy.deadLetter(dlq)).build());
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<String>collection("in", List.of()))
        .mapAsync(s -> {
          CompletableFuture<String> f = new CompletableFuture<>();
          if (s.equals("bad")) {
            executor.schedule(() -> f.completeExceptionally(new IllegalStateException("remote said no")), 30,
                TimeUnit.MILLISECONDS);
          } else {
            f.complete(s.toUpperCase());
          }
          return f;
        }, AsyncOptions.unordered(4), Op.named("lookup"))
        .to(out);
    java.time.Instant t0 = java.time.Instant.parse("2026-01-17T17:00:00Z");
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When: positions 0, 1, 2
      driver.<String>input("in").pipe("a", t0);
      TestInput<String> in = driver.input("in");
      in.pipeAll("bad", "c");
      // Then
      assertThat(driver.output(out)).containsExactly("A", "C");
      assertThat(driver.<io.nip.errors.DeadLetter>output(dlq)).singleElement().satisfies(d -> {
        assertThat(d.operator()).isEqualTo("lookup");
        assertThat(d.value()).isEqualTo("bad");
        assertThat(d.errorMessage()).isEqualTo("remote said no");
        assertThat(d.position()).isEqualTo(1L);
      });
    }
  }
}
