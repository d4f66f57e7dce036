package io.nip.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.testing.PipelineTestDriver;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FAIL, SKIP, RETRY and DEAD_LETTER, pipeline-wide and per operator. */
class ErrorPolicyTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /** A JSON-lines record. */
  record Order(String id, int qty) {}

  private static int divideTenBy(int i) {
    return 10 / i;
  }

  private static double errors(MeterRegistry registry, String operator, String outcome) {
    Counter c = registry.find("nip.errors").tag("operator", operator).tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  // ---- FAIL ----

  @Test
  void when_policy_is_fail_and_user_code_throws_then_the_driver_pipe_throws_with_the_cause() {
    Pipeline p = Pipeline.named("fail-driver", PipelineConfig.builder().errorPolicy(ErrorPolicy.fail()).build());
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of())).map(ErrorPolicyTest::divideTenBy, Op.named("divide")).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Integer>input("in").pipe(5);
      assertThatThrownBy(() -> driver.<Integer>input("in").pipe(0))
          .isInstanceOf(UserCodeException.class)
          .hasMessageContaining("divide")
          .hasCauseInstanceOf(ArithmeticException.class);
      assertThat(driver.output(out)).containsExactly(2);
    }
  }

  @Test
  void when_policy_is_fail_in_a_threaded_run_then_awaitTermination_throws_and_the_status_is_failed() {
    // Given
    Pipeline p = Pipeline.named("fail-threaded",
        PipelineConfig.builder().threads(2).errorPolicy(ErrorPolicy.fail()).build());
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.collection("in", List.of(1, 2, 0, 5)))
        .map(ErrorPolicyTest::divideTenBy, Op.named("divide"))
        .to(out);
    // When
    PipelineHandle handle = p.start();
    // Then
    assertThatThrownBy(() -> handle.awaitTermination(Duration.ofSeconds(20)))
        .isInstanceOf(NipException.class)
        .hasRootCauseInstanceOf(ArithmeticException.class);
    assertThat(handle.status()).isEqualTo(PipelineHandle.Status.FAILED);
    assertThat(handle.failure()).get().isInstanceOf(UserCodeException.class);
    assertThatThrownBy(handle::awaitTermination).isInstanceOf(NipException.class);
  }

  // ---- SKIP ----

  @Test
  void when_policy_is_skip_then_the_bad_record_is_dropped_counted_and_the_rest_flows_on() {
    // Given
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Pipeline p = Pipeline.named("skip",
        PipelineConfig.builder().errorPolicy(ErrorPolicy.skip()).meterRegistry(registry).build());
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of())).map(ErrorPolicyTest::divideTenBy, Op.named("divide")).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<Integer>input("in").pipeAll(1, 0, 2, 0, 5);
      // Then
      assertThat(driver.output(out)).containsExactly(10, 5, 2);
    }
    assertThat(errors(registry, "divide", "skipped")).isEqualTo(2.0);
    assertThat(registry.find("nip.errors").tag("pipeline", "skip").tag("outcome", "skipped").counter()).isNotNull();
  }

  @Test
  void when_policy_is_skip_in_a_threaded_run_then_the_run_completes_and_counts_the_skips() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Pipeline p = Pipeline.named("skip-threaded",
        PipelineConfig.builder().threads(2).meterRegistry(registry).build());
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.collection("in", List.of(1, 0, 2, 0, 5, 0), 2))
        .filter(i -> 10 / i > 0, Op.named("check"))
        .to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    assertThat(out.values()).containsExactlyInAnyOrder(1, 2, 5);
    assertThat(errors(registry, "check", "skipped")).isEqualTo(3.0);
  }

  // ---- RETRY ----

  @Test
  void when_retry_and_the_function_succeeds_on_the_second_attempt_then_its_result_flows_after_the_virtual_backoff() {
    // Given: fails on the first call for each record
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Pipeline p = Pipeline.named("retry-ok", PipelineConfig.builder().meterRegistry(registry).build());
    CollectingSink<String> out = Sinks.collecting("out");
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    p.from(Sources.<String>collection("in", List.of()))
        .map(s -> {
          if (calls.computeIfAbsent(s, k -> new AtomicInteger()).incrementAndGet() == 1) {
            throw new IllegalStateException("flaky " + s);
          }
          return s.toUpperCase();
        }, Op.named("flaky").onError(ErrorPolicy.retry(3, Duration.ofSeconds(30))))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0)) {
      // When
      driver.<String>input("in").pipe("a", T0);
      // Then: one virtual backoff, no real sleeping
      assertThat(driver.output(out)).containsExactly("A");
      assertThat(calls.get("a")).hasValue(2);
      assertThat(driver.wallClockTime()).isEqualTo(T0.plusSeconds(30));
    }
    assertThat(errors(registry, "flaky", "retried")).isEqualTo(1.0);
    assertThat(errors(registry, "flaky", "recovered")).isEqualTo(1.0);
  }

  @Test
  void when_retry_never_succeeds_then_every_attempt_is_made_and_the_orElse_policy_takes_the_record() {
    // Given
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    CollectingSink<String> out = Sinks.collecting("out");
    AtomicInteger calls = new AtomicInteger();
    Pipeline p = Pipeline.named("retry-dlq");
    p.from(Sources.<String>collection("in", List.of()))
        .map(s -> {
          if (s.equals("bad")) {
            calls.incrementAndGet();
            throw new IllegalArgumentException("never " + s);
          }
          return s;
        }, Op.named("stubborn").onError(ErrorPolicy.retry(2, Duration.ofMinutes(1)).orElse(ErrorPolicy.deadLetter(dlq))))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0)) {
      // When
      driver.<String>input("in").pipeAll("ok1", "bad", "ok2");
      // Then
      assertThat(calls).hasValue(3);
      assertThat(driver.wallClockTime()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
      assertThat(driver.output(out)).containsExactly("ok1", "ok2");
      assertThat(driver.<DeadLetter>output(dlq)).singleElement().satisfies(d -> {
        assertThat(d.operator()).isEqualTo("stubborn");
        assertThat(d.value()).isEqualTo("bad");
        assertThat(d.errorClass()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(d.errorMessage()).isEqualTo("never bad");
        assertThat(d.failedAt()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
      });
    }
  }

  @Test
  void when_retry_has_no_fallback_and_never_succeeds_then_the_pipeline_fails() {
    Pipeline p = Pipeline.named("retry-fail");
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .map(ErrorPolicyTest::divideTenBy, Op.named("divide").onError(ErrorPolicy.retry(1, Duration.ZERO)))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      assertThatThrownBy(() -> driver.<Integer>input("in").pipe(0))
          .isInstanceOf(UserCodeException.class)
          .hasCauseInstanceOf(ArithmeticException.class);
    }
  }

  @Test
  void when_retrying_in_a_threaded_run_on_a_manual_clock_then_the_backoff_takes_virtual_time_only() {
    // Given: an hour of backoff on a manual clock
    ManualClock clock = new ManualClock(T0);
    Pipeline p = Pipeline.named("retry-threaded", PipelineConfig.builder().threads(1).clock(clock).build());
    CollectingSink<String> out = Sinks.collecting("out");
    AtomicInteger calls = new AtomicInteger();
    p.from(Sources.collection("in", List.of("x")))
        .map(s -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("first call fails");
          }
          return s + "!";
        }, Op.named("flaky").onError(ErrorPolicy.retry(1, Duration.ofHours(1))))
        .to(out);
    // When
    PipelineHandle h = p.start();
    // Then: done in real seconds, an hour later on the virtual clock
    assertThat(h.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(out.values()).containsExactly("x!");
    assertThat(clock.instant()).isAfterOrEqualTo(T0.plus(Duration.ofHours(1)));
  }

  // ---- DEAD_LETTER ----

  @Test
  void a_poison_record_goes_to_the_dead_letter_sink_with_its_error_while_the_rest_flows_on() {
    // Given
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    CollectingSink<Integer> out = Sinks.collecting("out");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Pipeline p = Pipeline.named("dlq-user",
        PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).meterRegistry(registry).build());
    p.from(Sources.<Integer>collection("orders", List.of()))
        .map(ErrorPolicyTest::divideTenBy, Op.named("divide"))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p, T0)) {
      // When: positions 0, 1, 2
      driver.<Integer>input("orders").pipe(1, T0).pipe(0, T0.plusSeconds(1)).pipe(2, T0.plusSeconds(2));
      // Then
      assertThat(driver.output(out)).containsExactly(10, 5);
      assertThat(driver.output("dlq")).hasSize(1);
      DeadLetter d = driver.<DeadLetter>output(dlq).get(0);
      assertThat(d.pipeline()).isEqualTo("dlq-user");
      assertThat(d.operator()).isEqualTo("divide");
      assertThat(d.errorClass()).isEqualTo(ArithmeticException.class.getName());
      assertThat(d.errorMessage()).isEqualTo("/ by zero");
      assertThat(d.source()).isEqualTo("orders");
      assertThat(d.partition()).isZero();
      assertThat(d.position()).isEqualTo(1L);
      assertThat(d.eventTime()).isEqualTo(T0.plusSeconds(1));
      assertThat(d.value()).isEqualTo("0");
      assertThat(d.rawRecord()).isNull();
      assertThat(d.failedAt()).isEqualTo(T0);
    }
    assertThat(errors(registry, "divide", "dead_lettered")).isEqualTo(1.0);
  }

  @Test
  void when_malformed_json_lines_are_read_then_they_are_dead_lettered_with_raw_bytes_and_line_position(
      @TempDir Path dir) throws IOException {
    // Given: line index 2 and 4 are malformed, line index 3 is blank
    Path file = dir.resolve("orders.jsonl");
    Files.writeString(file, String.join("\n",
        "{\"id\":\"o1\",\"qty\":1}",
        "{\"id\":\"o2\",\"qty\":2}",
        "{not json",
        "",
        "{\"id\":\"o5\",\"qty\":\"many\"}",
        "{\"id\":\"o6\",\"qty\":6}") + "\n", StandardCharsets.UTF_8);
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("dlq-file",
        PipelineConfig.builder().threads(1).errorPolicy(ErrorPolicy.deadLetter(dlq)).build());
    p.from(Sources.jsonLines("orders", file, Order.class)).map(Order::id).to(out);
    // When
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(20))).isTrue();
    // Then: good lines flow, bad ones keep their bytes; the position is the zero-based line index
    assertThat(out.values()).containsExactly("o1", "o2", "o6");
    List<DeadLetter> letters = dlq.values();
    assertThat(letters).extracting(DeadLetter::position).containsExactly(2L, 4L);
    assertThat(letters).extracting(DeadLetter::rawRecordText)
        .containsExactly("{not json", "{\"id\":\"o5\",\"qty\":\"many\"}");
    assertThat(letters).allSatisfy(d -> {
      assertThat(d.operator()).isEqualTo("orders");
      assertThat(d.source()).isEqualTo("orders");
      assertThat(d.errorClass()).isEqualTo(SerializationException.class.getName());
      assertThat(d.errorMessage()).contains("Order");
      assertThat(d.value()).isNull();
      assertThat(d.eventTime()).isNull();
    });
  }

  @Test
  void when_user_code_fails_on_a_json_line_then_the_dead_letter_keeps_the_source_bytes(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("orders.jsonl");
    Files.writeString(file, "{\"id\":\"o1\",\"qty\":1}\n{\"id\":\"o2\",\"qty\":0}\n", StandardCharsets.UTF_8);
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    CollectingSink<Integer> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("dlq-file-user", PipelineConfig.builder().threads(1).build());
    p.from(Sources.jsonLines("orders", file, Order.class))
        .map(o -> 10 / o.qty(), Op.named("per-unit").onError(ErrorPolicy.deadLetter(dlq)))
        .to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(out.values()).containsExactly(10);
    assertThat(dlq.values()).singleElement().satisfies(d -> {
      assertThat(d.operator()).isEqualTo("per-unit");
      assertThat(d.position()).isEqualTo(1L);
      assertThat(d.rawRecordText()).isEqualTo("{\"id\":\"o2\",\"qty\":0}");
      assertThat(d.value()).contains("\"o2\"");
      assertThat(d.errorClass()).isEqualTo(ArithmeticException.class.getName());
    });
  }

  @Test
  void when_the_driver_pipes_a_deserialization_failure_then_the_policy_dead_letters_its_bytes() {
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("pipe-failure", PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).build());
    p.from(Sources.<String>collection("in", List.of())).to(out);
    byte[] bad = "\u0000garbage".getBytes(StandardCharsets.UTF_8);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipe("fine").pipeFailure(bad, new SerializationException("bad bytes", bad, null));
      assertThat(driver.output(out)).containsExactly("fine");
      assertThat(driver.<DeadLetter>output(dlq)).singleElement().satisfies(d -> {
        assertThat(d.rawRecord()).isEqualTo(bad);
        assertThat(d.position()).isEqualTo(1L);
        assertThat(d.errorMessage()).isEqualTo("bad bytes");
      });
    }
  }

  // ---- per-operator override and keys ----

  @Test
  void when_an_operator_overrides_the_policy_then_only_that_operator_uses_it() {
    // Given: pipeline FAIL, but "lenient" skips
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Pipeline p = Pipeline.named("override",
        PipelineConfig.builder().errorPolicy(ErrorPolicy.fail()).meterRegistry(registry).build());
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .map(ErrorPolicyTest::divideTenBy, Op.named("lenient").onError(ErrorPolicy.skip()))
        .map(i -> 100 / (i - 5), Op.named("strict"))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      TestInputs.pipe(driver, 0, 1);
      assertThat(driver.output(out)).containsExactly(20);
      assertThat(errors(registry, "lenient", "skipped")).isEqualTo(1.0);
      // When: 10 / 2 = 5 makes "strict" divide by zero
      assertThatThrownBy(() -> TestInputs.pipe(driver, 2))
          .isInstanceOf(UserCodeException.class)
          .hasMessageContaining("strict");
    }
    assertThat(errors(registry, "strict", "failed")).isEqualTo(1.0);
  }

  @Test
  void when_keyBy_yields_a_null_key_and_policy_is_dead_letter_then_the_record_is_dead_lettered() {
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("null-key", PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).build());
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> s.isEmpty() ? null : s.substring(0, 1))
        .process((KeyedProcessor<String, String, String>) (k, v, ctx) -> ctx.emit(k + ":" + v))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipeAll("ab", "", "cd");
      assertThat(driver.output(out)).containsExactly("a:ab", "c:cd");
      assertThat(driver.<DeadLetter>output(dlq)).singleElement().satisfies(d -> {
        assertThat(d.errorMessage()).contains("null key");
        assertThat(d.value()).isEmpty();
        assertThat(d.position()).isEqualTo(1L);
      });
    }
  }

  @Test
  void when_keyBy_yields_a_null_key_and_policy_is_fail_then_the_pipeline_fails() {
    Pipeline p = Pipeline.named("null-key-fail", PipelineConfig.builder().errorPolicy(ErrorPolicy.fail()).build());
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> (String) null)
        .process((KeyedProcessor<String, String, String>) (k, v, ctx) -> ctx.emit(v))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      assertThatThrownBy(() -> driver.<String>input("in").pipe("x"))
          .isInstanceOf(NipException.class)
          .hasMessageContaining("null key");
    }
  }

  @Test
  void when_keyBy_yields_a_null_key_and_policy_is_skip_then_it_is_counted_and_dropped() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Pipeline p = Pipeline.named("null-key-skip", PipelineConfig.builder().meterRegistry(registry).build());
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> s.equals("x") ? null : s)
        .process((KeyedProcessor<String, String, String>) (k, v, ctx) -> ctx.emit(v))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipeAll("a", "x", "b");
      assertThat(driver.output(out)).containsExactly("a", "b");
    }
    assertThat(registry.find("nip.errors").tag("outcome", "skipped").counter().count()).isEqualTo(1.0);
  }

  @Test
  void when_a_keyed_processor_throws_under_dead_letter_then_its_record_is_dead_lettered_and_state_survives() {
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("keyed-dlq");
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(s -> "k")
        .process((KeyedProcessor<String, String, String>) (k, v, ctx) -> {
          if (v.equals("boom")) {
            throw new IllegalStateException("boom");
          }
          ctx.emit(v);
        }, Op.named("proc").onError(ErrorPolicy.deadLetter(dlq)))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipeAll("a", "boom", "b");
      assertThat(driver.output(out)).containsExactly("a", "b");
      assertThat(driver.<DeadLetter>output(dlq)).singleElement().satisfies(d -> {
        assertThat(d.operator()).isEqualTo("proc");
        assertThat(d.value()).isEqualTo("boom");
        assertThat(d.errorClass()).isEqualTo(IllegalStateException.class.getName());
      });
    }
  }

  /** Pipes integers into the single input "in". */
  private static final class TestInputs {
    static void pipe(PipelineTestDriver driver, Integer... values) {
      driver.<Integer>input("in").pipeAll(values);
    }
  }
}
