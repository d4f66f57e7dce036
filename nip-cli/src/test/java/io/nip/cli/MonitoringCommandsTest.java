package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nip.monitoring.MetricsCollector;
import io.nip.monitoring.PipelineMonitor;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code nip demo analytics --monitor} and {@code nip dashboard}: their endpoints answer over real
 * HTTP while they run; each command runs on a thread of the test and is ended by an interrupt, as
 * Ctrl-C ends it in a terminal.
 */
class MonitoringCommandsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void demo_analytics_with_monitor_serves_metrics_health_and_the_dashboard_while_it_runs_and_lingers()
      throws Exception {
    // Given the demo started with --monitor --linger on a free port
    CliRun cli = new CliRun();
    AtomicInteger code = new AtomicInteger(-1);
    Thread demo = new Thread(() -> code.set(cli.run("demo", "analytics", "--events", "30000", "--monitor", "--port", "0",
        "--linger")), "demo");
    demo.start();
    try {
      URI dashboard = url(cli, "dashboard");
      URI metrics = url(cli, "metrics");
      URI health = url(cli, "health");
      assertThat(dashboard.getHost()).isEqualTo("127.0.0.1");

      // Then while it runs the three answer: the page, Prometheus text, the health JSON
      assertThat(get(dashboard).body()).contains("<title>NIP analytics demo (exercise 1)</title>");
      assertThat(get(metrics).headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      HttpResponse<String> h = get(health);
      assertThat(h.statusCode()).isIn(200, 503);
      assertThat(JSON.readTree(h.body()).get("checks").has("consumer_lag")).isTrue();
      await().atMost(Duration.ofSeconds(120)).until(() -> get(metrics).body().contains("nip_source_records_total{"));
      assertThat(demo.isAlive()).isTrue();

      // And after the demo ended they keep serving (--linger), the dashboard with every event read
      await().atMost(Duration.ofSeconds(180)).until(() -> cli.err().contains("until Ctrl-C"));
      assertThat(cli.number("events in")).isEqualTo(30_000);
      await().atMost(Duration.ofSeconds(10)).until(() -> api(dashboard).at("/current/recordsIn").asDouble() == 30_000.0);
      JsonNode doc = api(dashboard);
      assertThat(doc.at("/health/status").asText()).isIn("UP", "DEGRADED");
      assertThat(doc.get("operators")).extracting(r -> r.get("kind").asText()).contains("source", "sink");
      assertThat(get(metrics).body()).contains("nip_sink_latency_event_time_seconds{");
      assertThat(demo.isAlive()).isTrue();
    } finally {
      // When it is stopped
      demo.interrupt();
      demo.join(30_000);
    }
    // Then it exits with 0 and serves no more
    assertThat(code.get()).as("exit code; standard error:%n%s", cli.err()).isZero();
    URI gone = url(cli, "dashboard");
    assertThatThrownBy(() -> get(gone)).isInstanceOf(IOException.class);
  }

  @Test
  void nip_dashboard_shows_a_pipeline_running_elsewhere_from_its_metrics_and_health_urls() throws Exception {
    // Given a pipeline's collector and monitor serving /metrics and /health after 400 records
    try (MetricsCollector collector = MetricsCollector.builder("elsewhere").prometheus(0).build();
        PipelineMonitor monitor = PipelineMonitor.builder("elsewhere").httpPort(0).build()
            .defaultChecks(collector.registry()).start()) {
      Pipeline p = Pipeline.named("numbers", PipelineConfig.builder().meterRegistry(collector.registry()).build());
      p.from(Sources.collection("numbers", IntStream.range(0, 400).boxed().toList()),
          WatermarkStrategy.<Integer>processingTime()).to(Sinks.forEach("out", i -> { }));
      try (PipelineHandle handle = p.start()) {
        handle.awaitTermination();
      }
      monitor.runChecks();
      String metricsUrl = "http://127.0.0.1:" + collector.prometheusAddress().orElseThrow().getPort() + "/metrics";
      String healthUrl = "http://127.0.0.1:" + monitor.httpAddress().orElseThrow().getPort() + "/health";

      // When nip dashboard reads them
      CliRun cli = new CliRun();
      AtomicInteger code = new AtomicInteger(-1);
      Thread command = new Thread(() -> code.set(cli.run("dashboard", "--metrics-url", metricsUrl, "--health-url",
          healthUrl, "--refresh", "200ms", "--title", "Orders")), "dashboard");
      command.start();
      try {
        URI dashboard = url(cli, "dashboard");
        // Then its page and JSON show the pipeline's figures and health
        assertThat(get(dashboard).body()).contains("<title>Orders</title>");
        JsonNode doc = api(dashboard);
        assertThat(doc.at("/current/recordsIn").asDouble()).isEqualTo(400.0);
        assertThat(doc.at("/current/recordsOut").asDouble()).isEqualTo(400.0);
        assertThat(doc.at("/health/status").asText()).isEqualTo("UP");
        assertThat(doc.get("source").asText()).isEqualTo(metricsUrl);
      } finally {
        command.interrupt();
        command.join(10_000);
      }
      assertThat(code.get()).as("exit code; standard error:%n%s", cli.err()).isZero();
    }
  }

  @Test
  void monitoring_options_are_checked() {
    CliRun cli = new CliRun();
    assertThat(cli.run("demo", "analytics", "--port", "8080")).isEqualTo(NipCommand.EXIT_USAGE);
    assertThat(cli.err()).contains("--port needs --monitor");
    assertThat(cli.run("demo", "analytics", "--monitor", "--port", "70000")).isEqualTo(NipCommand.EXIT_USAGE);
    assertThat(cli.run("dashboard", "--metrics-url", "localhost:9404")).isEqualTo(NipCommand.EXIT_USAGE);
    assertThat(cli.err()).contains("metricsUrl");
    assertThat(cli.run("dashboard", "--metrics-url", "http://127.0.0.1:1/metrics", "--refresh", "soon"))
        .isEqualTo(NipCommand.EXIT_USAGE);
    assertThat(cli.err()).contains("--refresh soon");
  }

  /** @return the URL a command printed on a line {@code <label>   <url>} */
  private static URI url(CliRun cli, String label) {
    Pattern p = Pattern.compile("(?m)^ *" + label + " +(http://\\S+)");
    await().atMost(Duration.ofSeconds(60)).until(() -> p.matcher(cli.err()).find());
    Matcher m = p.matcher(cli.err());
    assertThat(m.find()).isTrue();
    return URI.create(m.group(1));
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode api(URI dashboard) throws IOException, InterruptedException {
    return JSON.readTree(get(dashboard.resolve("/api/metrics")).body());
  }
}
