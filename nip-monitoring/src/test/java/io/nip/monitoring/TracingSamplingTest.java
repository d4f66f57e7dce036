package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probabilistic sampler's rate, and the settings a TracingManager refuses. */
class TracingSamplingTest {

  @Test
  void ten_thousand_records_at_rate_0_1_sample_a_count_within_five_sigma_of_the_binomial_mean() {
    // Given: a traced step at rate 0.1 (only step spans, well under the export queue's 2048)
    int n = 10_000;
    double p = 0.1;
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    int sampled;
    try (TracingManager tracing = TracingManager.builder("sampling").sampler(SamplerType.PROBABILISTIC, p)
        .exporter(exporter).exportInterval(Duration.ofMillis(50)).build()) {
      Pipeline pipeline = Pipeline.named("sampling");
      CollectingSink<Integer> out = Sinks.collecting("out");
      tracing.trace("process_event").map(pipeline.from(Sources.<Integer>collection("events", List.of())),
          (Integer i) -> i + 1).to(out);

      // When: 10,000 records pass, each starting a new trace
      try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, Instant.EPOCH)) {
        TestInput<Integer> in = driver.input("events");
        for (int i = 0; i < n; i++) {
          in.pipe(i);
        }
        assertThat(driver.output(out)).hasSize(n);
      }
      assertThat(tracing.flush(Duration.ofSeconds(10))).isTrue();
      sampled = exporter.getFinishedSpanItems().size();
    }

    // Then: the sampled count is Binomial(10,000, 0.1): mean 1,000, sigma sqrt(n p (1 - p)) = 30,
    // so within 1,000 +- 5 sigma = [850, 1150] (a false alarm about once in 1.7 million runs)
    double mean = n * p;
    double sigma = Math.sqrt(n * p * (1 - p));
    assertThat((double) sampled).isBetween(mean - 5 * sigma, mean + 5 * sigma);
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
