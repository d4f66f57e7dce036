package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.statsd.StatsdFlavor;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.PrometheusText;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;

/** The dashboard's server, its JSON and its reading of Prometheus text, without a browser. */
class DashboardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void the_tutorials_dashboard_serves_a_pipelines_figures_in_this_process() throws Exception {
    CollectingSink<Integer> out = Sinks.collecting("out");
    // tag::dashboard[]
    try (MetricsCollector collector = MetricsCollector.builder("pipeline_metrics").build();
        PipelineMonitor monitor = PipelineMonitor.builder("pipeline_monitor").build()
            .defaultChecks(collector.registry()).start();
        Dashboard dashboard = Dashboard.builder("Streaming Pipeline Metrics") // the tutorial's dashboard(title)
            .collector(collector) // read every refreshInterval (default 1 s) from the collector's registry
            .monitor(monitor) // the health status and checks, also served at /health
            .port(0) // http://127.0.0.1:<port>/, 0 = any free port; bindAddress(..) to listen elsewhere
            .start()) {
      System.out.println("dashboard " + dashboard.url()); // and /metrics, /health, /api/metrics
      Pipeline pipeline = Pipeline.named("numbers",
          PipelineConfig.builder().meterRegistry(collector.registry()).build());
      pipeline.from(Sources.collection("in", IntStream.range(0, 1_000).boxed().toList()),
          WatermarkStrategy.<Integer>processingTime()).filter(i -> i % 10 != 0).to(out);
      try (PipelineHandle handle = pipeline.start()) {
        handle.awaitTermination();
      }
      // end::dashboard[]
      dashboard.refresh();
      JsonNode doc = JSON.readTree(get(dashboard.url().resolve(Dashboard.API_PATH)).body());
      assertThat(doc.at("/current/recordsIn").asDouble()).isEqualTo(1_000.0);
      assertThat(doc.at("/current/recordsOut").asDouble()).isEqualTo(900.0);
      assertThat(doc.at("/current/errorRate").asDouble()).isZero();
      assertThat(doc.at("/health/status").asText()).isEqualTo("UP");
      assertThat(doc.at("/history/time")).hasSizeGreaterThanOrEqualTo(2);
      assertThat(get(dashboard.url().resolve("/metrics")).body()).contains("nip_sink_records_total{");
    }
  }

  @Test
  void the_operator_table_is_built_from_whatever_nip_operator_meters_exist_grouped_by_operator() throws Exception {
    // Given the per-operator meters the engine records (two tasks of a window operator, one of a map)
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicLong windowIn = new AtomicLong();
    AtomicLong windowOut = new AtomicLong();
    AtomicLong mapIn = new AtomicLong();
    for (String task : List.of("keyed-0-0", "keyed-0-1")) {
      FunctionCounter.builder("nip.operator.records.in", windowIn, AtomicLong::get)
          .tags("pipeline", "p", "operator", "user-windows", "task", task).register(registry);
      FunctionCounter.builder("nip.operator.records.out", windowOut, AtomicLong::get)
          .tags("pipeline", "p", "operator", "user-windows", "task", task).register(registry);
    }
    FunctionCounter.builder("nip.operator.records.in", mapIn, AtomicLong::get)
        .tags("pipeline", "p", "operator", "parse", "task", "source-0").register(registry);
    Timer parseTime = Timer.builder("nip.operator.processing.time")
        .tags("pipeline", "p", "operator", "parse", "task", "source-0").register(registry);
    Gauge.builder("nip.operator.state.entries", () -> 42).strongReference(true)
        .tags(Tags.of("pipeline", "p", "operator", "user-windows")).register(registry);
    try (Dashboard dashboard = Dashboard.builder("operators").registry(registry).refreshInterval(Duration.ofMinutes(1))
        .start()) {
      // When records pass between two readings
      windowIn.addAndGet(1_000);
      windowOut.addAndGet(50);
      mapIn.addAndGet(700);
      parseTime.record(Duration.ofMillis(4));
      parseTime.record(Duration.ofMillis(6));
      dashboard.refresh();

      // Then each operator has one row, its tasks summed, with rates, the mean processing time and
      // the meters the page does not know by name; the window operator's output is the window output rate
      JsonNode doc = JSON.readTree(dashboard.json());
      assertThat(doc.get("operatorMeters").asBoolean()).isTrue();
      JsonNode windows = operator(doc, "user-windows");
      assertThat(windows.get("in").asDouble()).isEqualTo(2_000.0);
      assertThat(windows.get("out").asDouble()).isEqualTo(100.0);
      assertThat(windows.get("outPerSecond").asDouble()).isPositive();
      assertThat(windows.at("/other/state_entries").asDouble()).isEqualTo(42.0);
      JsonNode parse = operator(doc, "parse");
      assertThat(parse.get("in").asDouble()).isEqualTo(700.0);
      assertThat(parse.get("processingMeanMs").asDouble()).isEqualTo(5.0);
      assertThat(doc.at("/current/windowsOut").asDouble()).isEqualTo(100.0);
      assertThat(doc.at("/current/windowOutPerSecond").asDouble()).isPositive();
    }
  }

  private static JsonNode operator(JsonNode doc, String name) {
    for (JsonNode row : doc.get("operators")) {
      if (row.get("kind").asText().equals("operator") && row.get("name").asText().equals(name)) {
        return row;
      }
    }
    throw new AssertionError("no operator row " + name + " in " + doc.get("operators"));
  }

  @Test
  void the_text_parser_reads_a_real_scrape_as_a_prometheus_parser_does() throws Exception {
    // Given the scrape output of a collector that ran a pipeline (counters, gauges, summaries)
    try (MetricsCollector collector = MetricsCollector.builder("parse").prometheus(0).build()) {
      run(collector, 500);
      String text = collector.scrape().orElseThrow();

      // When both parsers read it
      List<PrometheusText.Sample> samples = PrometheusText.parse(text);
      Map<String, MetricFamily> families = Scrape.parse(text).families();

      // Then every counter series has the same value in both
      int counters = 0;
      for (MetricFamily f : families.values()) {
        for (var m : f.getMetrics()) {
          if (m instanceof Counter c) {
            counters++;
            assertThat(samples).filteredOn(s -> s.name().equals(f.getName()) && s.labels().equals(c.getLabels()))
                .singleElement().extracting(PrometheusText.Sample::value).isEqualTo(c.getValue());
          }
        }
      }
      assertThat(counters).isGreaterThanOrEqualTo(2);
      assertThat(samples).anySatisfy(s -> {
        assertThat(s.name()).isEqualTo("nip_sink_latency_event_time_seconds");
        assertThat(s.label("quantile")).isEqualTo("0.99");
      });
    }
  }

  @Test
  void the_text_parser_reads_escapes_special_values_and_names_a_bad_line() {
    List<PrometheusText.Sample> s = PrometheusText.parse("""
        # HELP a_total the help
        a_total{path="C:\\\\tmp",msg="say \\"hi\\"\\n",} 3 1700000000000
        b NaN
        c{le="+Inf"} +Inf
        d -1.5e3
        """);
    assertThat(s).extracting(PrometheusText.Sample::name).containsExactly("a_total", "b", "c", "d");
    assertThat(s.get(0).labels()).containsExactly(Map.entry("path", "C:\\tmp"), Map.entry("msg", "say \"hi\"\n"));
    assertThat(s.get(0).value()).isEqualTo(3.0);
    assertThat(s.get(1).value()).isNaN();
    assertThat(s.get(2).value()).isInfinite();
    assertThat(s.get(3).value()).isEqualTo(-1500.0);
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbroken{a=\"x\" 2\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
    assertThatThrownBy(() -> PrometheusText.parse("x one\n")).hasMessageContaining("'one' is not a number");
  }

  @Test
  void a_dashboard_of_a_pipeline_elsewhere_reads_its_metrics_and_health_urls() throws Exception {
    // Given a pipeline's collector and monitor serving /metrics and /health, after 300 records
    try (MetricsCollector collector = MetricsCollector.builder("remote").prometheus(0).build();
        PipelineMonitor monitor = PipelineMonitor.builder("remote_monitor").httpPort(0).build()
            .defaultChecks(collector.registry()).start()) {
      run(collector, 300);
      monitor.runChecks();
      String base = "http://127.0.0.1:";
      // When a dashboard reads them by URL
      try (Dashboard dashboard = Dashboard.builder("Remote <pipeline>")
          .metricsUrl(base + collector.prometheusAddress().orElseThrow().getPort() + "/metrics")
          .healthUrl(base + monitor.httpAddress().orElseThrow().getPort() + "/health").start()) {
        // Then its JSON has the totals, the health and the source and sink rows
        JsonNode doc = JSON.readTree(get(dashboard.url().resolve(Dashboard.API_PATH)).body());
        assertThat(doc.get("error").isNull()).isTrue();
        assertThat(doc.at("/current/recordsIn").asDouble()).isEqualTo(300.0);
        assertThat(doc.at("/current/recordsOut").asDouble()).isEqualTo(150.0);
        assertThat(doc.at("/health/status").asText()).isEqualTo("UP");
        assertThat(doc.get("operators")).extracting(r -> r.get("kind").asText() + ":" + r.get("name").asText())
            .contains("source:numbers", "sink:out");
        assertThat(doc.get("source").asText()).endsWith("/metrics");
        // And the page and its assets are served from the jar, the title escaped
        HttpResponse<String> page = get(dashboard.url());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Remote &lt;pipeline&gt;</title>").doesNotContain("http://cdn", "https://");
        assertThat(get(dashboard.url().resolve("/uPlot.iife.min.js")).body()).contains("uPlot");
        assertThat(get(dashboard.url().resolve("/dashboard.js")).statusCode()).isEqualTo(200);
        assertThat(get(dashboard.url().resolve("/nothing")).statusCode()).isEqualTo(404);
        // And a dashboard of a pipeline elsewhere serves no /metrics of its own
        assertThat(get(dashboard.url().resolve("/metrics")).statusCode()).isEqualTo(404);
        assertThat(dashboard.url().getHost()).isEqualTo("127.0.0.1");
      }
    }
  }

  @Test
  void a_metrics_url_that_does_not_answer_is_shown_as_an_error_on_the_page() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (Dashboard dashboard = Dashboard.builder("gone").metricsUrl("http://127.0.0.1:" + closed + "/metrics").start()) {
      JsonNode doc = JSON.readTree(dashboard.json());
      assertThat(doc.get("error").asText()).contains("GET http://127.0.0.1:" + closed + "/metrics");
    }
  }

  @Test
  void in_process_one_port_serves_the_page_metrics_and_health() throws Exception {
    // Given a collector exporting to StatsD only (no Prometheus registry of its own) and a monitor
    try (MetricsCollector collector = MetricsCollector.builder("statsd_only").statsd("127.0.0.1", 8125, StatsdFlavor.ETSY)
            .build();
        PipelineMonitor monitor = PipelineMonitor.builder("m").build().defaultChecks(collector.registry()).start()) {
      run(collector, 100); // meters registered before the dashboard starts
      try (Dashboard dashboard = Dashboard.builder("one port").collector(collector).monitor(monitor).start()) {
        // Then /metrics serves the registry's meters, /health the monitor's report, the JSON the totals
        HttpResponse<String> metrics = get(dashboard.url().resolve("/metrics"));
        assertThat(Scrape.parse(metrics.body()).counter("nip_source_records_total")).isEqualTo(100.0);
        HttpResponse<String> health = get(dashboard.url().resolve("/health"));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("UP");
        assertThat(JSON.readTree(dashboard.json()).at("/current/recordsIn").asDouble()).isEqualTo(100.0);
      }
    }
  }

  @Test
  void bad_settings_name_the_setting() {
    assertThatThrownBy(() -> Dashboard.builder("x").start()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("registry");
    assertThatThrownBy(() -> Dashboard.builder("x").registry(new SimpleMeterRegistry()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("SimpleMeterRegistry");
    assertThatThrownBy(() -> Dashboard.builder("x").metricsUrl("localhost:9404/metrics"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("metricsUrl");
    assertThatThrownBy(() -> Dashboard.builder("x").port(70_000)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(() -> Dashboard.builder("x").refreshInterval(Duration.ofMillis(10)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("refreshInterval");
  }

  /** Runs a bounded pipeline of {@code n} numbers, half of them filtered out, on the collector's registry. */
  private static void run(MetricsCollector collector, int n) {
    CollectingSink<Integer> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("numbers", PipelineConfig.builder().meterRegistry(collector.registry()).build());
    p.from(Sources.collection("numbers", IntStream.range(0, n).boxed().toList()),
        WatermarkStrategy.<Integer>processingTime()).filter(i -> i % 2 == 0).to(out);
    try (PipelineHandle h = p.start()) {
      h.awaitTermination();
    }
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
