package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OTLP/HTTP export to a real receiver on 127.0.0.1 (path, content type, the flush on close), and the
 * tutorial's tracing as a user writes it.
 */
class TracingOtlpTest {
  /** One POST as received. */
  record Post(String method, String path, String contentType, byte[] body) {}

  private final List<Post> posts = new CopyOnWriteArrayList<>();
  private HttpServer receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/", exchange -> {
      try (exchange) {
        posts.add(new Post(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes()));
        // an empty ExportTraceServiceResponse: success, nothing rejected
        exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, -1);
      }
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void closing_the_manager_exports_the_queued_spans_as_an_otlp_http_protobuf_post_to_v1_traces() {
    // Given: an OTLP/HTTP exporter to the receiver's base URL, batches due only after an hour
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    TracingManager tracing = TracingManager.builder("otlp-service").otlpHttp(base)
        .exportInterval(Duration.ofHours(1)).build();

    // When: three spans end and the manager is closed
    for (int i = 0; i < 3; i++) {
      tracing.span("otlp_span_" + i, () -> { });
    }
    assertThat(posts).isEmpty();
    tracing.close();

    // Then: the spans left in one protobuf POST to /v1/traces, whose bytes hold the service and
    // span names (protobuf writes strings as UTF-8)
    assertThat(posts).singleElement().satisfies(post -> {
      assertThat(post.method()).isEqualTo("POST");
      assertThat(post.path()).isEqualTo("/v1/traces");
      assertThat(post.contentType()).isEqualTo("application/x-protobuf");
      String bytes = new String(post.body(), StandardCharsets.ISO_8859_1);
      assertThat(bytes).contains("otlp-service", "otlp_span_0", "otlp_span_1", "otlp_span_2");
    });
  }

  @Test
  void the_tutorials_tracing_traces_a_running_pipeline_and_exports_over_otlp() throws Exception {
    String collectorUrl = "http://127.0.0.1:" + receiver.getAddress().getPort();
    CollectingSink<String> out = Sinks.collecting("out");
    List<String> persisted = new CopyOnWriteArrayList<>();
    List<String> events1000 = IntStream.range(0, 1_000).mapToObj(i -> "event-" + i).toList();
    // tag::tracing[]
    try (TracingManager tracing = TracingManager.builder("nip-streaming-pipeline")
        .sampler(SamplerType.PROBABILISTIC, 0.1) // trace 10 % of the records that start a trace
        .otlpHttp(collectorUrl) // e.g. http://127.0.0.1:4318: POST /v1/traces, protobuf
        .build()) {
      Pipeline pipeline = Pipeline.named("events");
      Stream<String> events = pipeline.from(Sources.collection("events", events1000));
      Stream<String> enriched = tracing.trace("process_event").map(events, event -> {
        tracing.span("validate_event", () -> {
          if (event.isBlank()) {
            throw new IllegalArgumentException("blank event"); // span status ERROR, rethrown
          }
        });
        String result = tracing.span("enrich_event", () -> event.toUpperCase());
        tracing.span("persist_event", () -> persisted.add(result));
        return result;
      }, Op.named("process"));
      enriched.to(tracing.propagate(out)); // a KafkaSink writes traceparent, tracestate as headers
      try (PipelineHandle handle = pipeline.start()) {
        handle.awaitTermination();
      }
    } // close(): the spans still queued are exported
    // end::tracing[]

    assertThat(out.values()).hasSize(1_000);
    assertThat(posts).isNotEmpty().allSatisfy(post -> assertThat(post.path()).isEqualTo("/v1/traces"));
    String bytes = new String(posts.get(0).body(), StandardCharsets.ISO_8859_1);
    assertThat(bytes).contains("nip-streaming-pipeline", "process_event", "enrich_event", "out publish");
  }
}
