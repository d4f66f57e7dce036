package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OTLP/HTTP export to a real receiver on 127.0.0.1: path, content type, and the flush on close. */
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
}
