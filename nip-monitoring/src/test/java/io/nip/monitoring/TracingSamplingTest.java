package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.event.Headers;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The probabilistic sampler's rate, and the settings a TracingManager refuses. */
class TracingSamplingTest {

  @Test
  void ten_thousand_records_at_rate_0_1_sample_a_count_within_five_sigma_of_the_binomial_mean() {
    // Given: a traced step at rate 0.1 (only step spans, well under the export queue's 2048)
    int n = 10_000;
    double p = 0.1;
    CollectingSink<Integer> out = Sinks.collecting("out");

    // When: 10,000 records pass, each starting a new trace
    int sampled = traceIncrements(p, n, out).size();
    assertThat(out.values()).hasSize(n);

    // Then: the sampled count is Binomial(10,000, 0.1): mean 1,000, sigma sqrt(n p (1 - p)) = 30,
    // so within 1,000 +- 5 sigma = [850, 1150] (a false alarm about once in 1.7 million runs)
    double mean = n * p;
    double sigma = Math.sqrt(n * p * (1 - p));
    assertThat((double) sampled).isBetween(mean - 5 * sigma, mean + 5 * sigma);
  }

  @Test
  void a_new_trace_is_sampled_exactly_when_the_sdk_ratio_sampler_samples_its_trace_id_and_the_span_keeps_that_id() {
    // Given: a traced step at rate 0.3 whose records go on with their trace context in the headers
    int n = 3_000;
    double p = 0.3;
    HeaderRecordingSink<Integer> out = new HeaderRecordingSink<>("out");

    // When: 3,000 records without a trace context pass
    List<SpanData> spans = traceIncrements(p, n, out);

    // Then: each record left with a traceparent; its sampled flag is the SDK ratio sampler's
    // decision on its trace id, and the spans exported are exactly those of the sampled ids
    Sampler sdk = Sampler.traceIdRatioBased(p);
    Set<String> sampledIds = new HashSet<>();
    Set<String> allIds = new HashSet<>();
    assertThat(out.written()).hasSize(n).allSatisfy(w -> {
      String[] parts = w.traceparent().split("-");
      boolean sampled = (Integer.parseInt(parts[3], 16) & 1) == 1;
      boolean sdkSamples = sdk.shouldSample(Context.root(), parts[1], "process_event", SpanKind.INTERNAL,
          Attributes.empty(), List.of()).getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
      assertThat(sampled).as("flag of %s", w.traceparent()).isEqualTo(sdkSamples);
      // flags as the SDK writes them for its random ids: sampled 03, dropped 02 (random trace id)
      assertThat(parts[3]).isEqualTo(sampled ? "03" : "02");
      allIds.add(parts[1]);
      if (sampled) {
        sampledIds.add(parts[1]);
      }
    });
    assertThat(allIds).hasSize(n);
    assertThat(spans).extracting(SpanData::getTraceId)
        .containsExactlyInAnyOrderElementsOf(sampledIds);
    double sigma = Math.sqrt(n * p * (1 - p));
    assertThat((double) sampledIds.size()).isBetween(n * p - 5 * sigma, n * p + 5 * sigma);
  }

  /**
   * Runs {@code n} records without a trace context (0, 1, ...) through a traced step adding one,
   * sampled at {@code rate}, into {@code out}.
   *
   * @return the spans exported
   */
  private static List<SpanData> traceIncrements(double rate, int n, Sink<Integer> out) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (TracingManager tracing = TracingManager.builder("sampling").sampler(SamplerType.PROBABILISTIC, rate)
        .exporter(exporter).exportInterval(Duration.ofMillis(50)).build()) {
      Pipeline pipeline = Pipeline.named("sampling");
      tracing.trace("process_event").map(pipeline.from(Sources.<Integer>collection("events", List.of())),
          (Integer i) -> i + 1).to(out);
      try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, Instant.EPOCH)) {
        TestInput<Integer> in = driver.input("events");
        for (int i = 0; i < n; i++) {
          in.pipe(i);
        }
      }
      assertThat(tracing.flush(Duration.ofSeconds(10))).isTrue();
      return exporter.getFinishedSpanItems(); // closing the manager empties the exporter
    }
  }

  @Test
  void a_span_opened_outside_a_step_in_a_dropped_new_trace_is_current_unsampled_and_its_children_are_no_ops() {
    // Given: a manager that samples no new trace
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (TracingManager tracing = TracingManager.builder("svc").sampler(SamplerType.NEVER, 0.0)
        .exporter(exporter).build()) {

      // When: a span is opened with no current context, a child inside it, and its context injected
      Headers injected;
      try (TraceScope outer = tracing.span("outer")) {
        SpanContext current = Span.current().getSpanContext();
        assertThat(current.isValid()).isTrue();
        assertThat(current.isSampled()).isFalse();
        assertThat(outer.span().isRecording()).isFalse();
        try (TraceScope inner = tracing.span("inner")) {
          assertThat(inner.span().isRecording()).isFalse();
        }
        injected = tracing.inject(Headers.EMPTY);
        assertThat(injected.lastString("traceparent"))
            .isEqualTo("00-" + current.getTraceId() + "-" + current.getSpanId() + "-02");
      }

      // Then: a span continuing those headers is not sampled either, and nothing was exported
      try (TraceScope continued = tracing.span("continued", injected)) {
        assertThat(continued.span().isRecording()).isFalse();
      }
      assertThat(Span.current().getSpanContext().isValid()).isFalse();
      assertThat(tracing.flush(Duration.ofSeconds(5))).isTrue();
      assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }
  }

  @Test
  void rates_outside_0_to_1_are_refused_naming_the_setting() {
    // Given/When/Then: each bad rate fails with a ConfigurationException naming samplerRate
    for (double rate : new double[] {-0.1, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> TracingManager.builder("svc").sampler(SamplerType.PROBABILISTIC, rate))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("samplerRate")
          .hasMessageContaining(String.valueOf(rate));
    }
    assertThatThrownBy(() -> new TracingManager("svc", SamplerType.PROBABILISTIC, 2.0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("samplerRate");
  }

  @Test
  void a_blank_service_name_a_bad_sampler_name_and_bad_endpoints_are_refused_naming_the_setting() {
    // Given/When/Then: a blank service or span name
    assertThatThrownBy(() -> TracingManager.builder(" ")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("serviceName");
    assertThatThrownBy(() -> new TracingManager("", SamplerType.ALWAYS, 1.0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("serviceName");
    // and the tutorial's sampler names are accepted in any case, others refused
    assertThat(SamplerType.of("Probabilistic")).isEqualTo(SamplerType.PROBABILISTIC);
    assertThatThrownBy(() -> SamplerType.of("sometimes")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("samplerType").hasMessageContaining("sometimes");
    // and endpoints that are not absolute http(s) URLs
    for (String url : new String[] {"localhost:4318", "ftp://127.0.0.1/v1/traces", "http://", "http://a b"}) {
      assertThatThrownBy(() -> TracingManager.builder("svc").otlpHttp(url))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("otlp.endpoint").hasMessageContaining(url);
      assertThatThrownBy(() -> TracingManager.builder("svc").otlpGrpc(url))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("otlp.endpoint");
    }
    assertThatThrownBy(() -> TracingManager.builder("svc").exportInterval(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("exportInterval");
  }

  @Test
  void an_otlp_grpc_manager_builds_and_closes_without_a_collector_when_no_span_ended() {
    // Given/When: a gRPC exporter to a port nothing listens on, and no span
    TracingManager tracing = TracingManager.builder("svc").otlpGrpc("http://127.0.0.1:1").build();

    // Then: closing has nothing to send and returns at once
    long before = System.nanoTime();
    tracing.close();
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void the_tutorial_constructor_keeps_its_settings() {
    // Given/When: the tutorial's three arguments
    try (TracingManager tracing = new TracingManager("nip-streaming-pipeline", SamplerType.PROBABILISTIC, 0.1)) {
      // Then: they are what the manager reports, and a blank span name is refused
      assertThat(tracing.serviceName()).isEqualTo("nip-streaming-pipeline");
      assertThat(tracing.samplerType()).isEqualTo(SamplerType.PROBABILISTIC);
      assertThat(tracing.samplerRate()).isEqualTo(0.1);
      assertThatThrownBy(() -> tracing.trace("")).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("spanName");
    }
  }
}
