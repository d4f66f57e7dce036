package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Timer;
import io.micrometer.statsd.StatsdFlavor;
import io.nip.errors.ConfigurationException;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.WatermarkStrategy;
import java.io.ByteArrayInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;

class MetricsCollectorTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  /** Runs 32 records, each 2 s old on the driver's clock, through a pipeline recording into the collector. */
  private static CollectingSink<Integer> runThroughDriver(MetricsCollector collector) {
    CollectingSink<Integer> out = Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("p", PipelineConfig.builder().meterRegistry(collector.registry()).build());
    pipeline.from(Sources.<Integer>collection("in", List.of()), WatermarkStrategy.<Integer>boundedOutOfOrderness(
        Duration.ofSeconds(5))).map(i -> i * 2).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, NOW)) {
      for (int i = 0; i < 32; i++) {
        driver.<Integer>input("in").pipe(i, NOW.minusSeconds(2));
      }
      assertThat(driver.output(out)).hasSize(32);
    }
    return out;
  }

  @Test
  void when_records_reach_a_sink_then_the_sampled_event_time_latency_is_exact_on_virtual_time() {
    try (MetricsCollector collector = MetricsCollector.builder("c").build()) {
      runThroughDriver(collector);

      // one record in 16 is sampled: the 1st and the 17th of 32, each 2 s behind the clock
      Timer latency = collector.registry().find("nip.sink.latency.event.time").tag("sink", "out").timer();
      assertThat(latency.count()).isEqualTo(2);
      assertThat(latency.max(TimeUnit.MILLISECONDS)).isEqualTo(2000.0);
      assertThat(collector.statistics().latencyP99()).isPresent();
    }
  }

  @Test
  void the_scrape_endpoint_output_parses_as_prometheus_text_with_latency_quantiles() throws Exception {
    try (MetricsCollector collector = MetricsCollector.builder("c").prometheus(0).build()) {
      runThroughDriver(collector);
      collector.counter("events_processed").increment(3);

      // When the endpoint on 127.0.0.1 is scraped
      int port = collector.prometheusAddress().orElseThrow().getPort();
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

      // Then a Prometheus text parser finds the latency summaries with p50, p99 and p99.9, and the counter
      assertThat(response.statusCode()).isEqualTo(200);
      Map<String, MetricFamily> families = parse(response.body());
      for (String name : List.of("nip_sink_latency_event_time_seconds", "nip_sink_latency_processing_seconds")) {
        org.hawkular.agent.prometheus.types.Summary summary =
            (org.hawkular.agent.prometheus.types.Summary) families.get(name).getMetrics().get(0);
        assertThat(summary.getQuantiles()).extracting(q -> q.getQuantile()).containsExactly(0.5, 0.99, 0.999);
        assertThat(summary.getSampleCount()).isEqualTo(2);
        assertThat(summary.getLabels()).containsEntry("sink", "out").containsEntry("pipeline", "p");
      }
      org.hawkular.agent.prometheus.types.Counter events =
          (org.hawkular.agent.prometheus.types.Counter) families.get("events_processed_total").getMetrics().get(0);
      assertThat(events.getValue()).isEqualTo(3.0);
    }
  }

  @Test
  void a_pipeline_on_worker_threads_is_counted_exactly() throws Exception {
    try (MetricsCollector collector = MetricsCollector.builder("c").prometheus(0).build()) {
      // Given 100 records in 2 partitions, of which the even half reach the sink
      CollectingSink<Integer> out = Sinks.collecting("out");
      Pipeline pipeline = Pipeline.named("counted", PipelineConfig.builder().meterRegistry(collector.registry()).build());
      pipeline.from(Sources.collection("in", IntStream.range(0, 100).boxed().toList(), 2),
          WatermarkStrategy.<Integer>processingTime()).filter(i -> i % 2 == 0).to(out);

      // When it runs to its end
      try (PipelineHandle handle = pipeline.start()) {
        handle.awaitTermination();
      }

      // Then the scrape counts every record read and written, and the statistics see them
      Map<String, MetricFamily> families = parse(collector.scrape().orElseThrow());
      assertThat(sum(families.get("nip_source_records_total"))).isEqualTo(100.0);
      assertThat(sum(families.get("nip_sink_records_total"))).isEqualTo(50.0);
      assertThat(out.values()).hasSize(50);
      assertThat(collector.statistics().errorRate()).isZero();
    }
  }

  @Test
  void statsd_lines_reach_a_udp_listener() throws Exception {
    try (DatagramSocket agent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      agent.setSoTimeout(200);
      List<String> lines = new ArrayList<>();
      try (MetricsCollector collector = MetricsCollector.builder("c").exportInterval(Duration.ofMillis(50))
          .statsd("127.0.0.1", agent.getLocalPort(), StatsdFlavor.ETSY).build()) {
        // When a user counter counts until the agent hears it (lines sent before the registry's UDP
        // client connected are lost), and then a pipeline runs
        receiveUntil(agent, lines, 1, "events_processed", () -> collector.counter("events_processed").increment(3));
        runThroughDriver(collector);

        // Then the agent receives the two sampled records' latency lines too
        receiveUntil(agent, lines, 2, "nipSinkLatencyEventTime.pipeline", () -> {});
      }
      // Etsy lines: the name (camel case) and the tags (key.value) joined with dots
      assertThat(lines).contains("events_processed.statistic.count:3|c",
          "nipSinkLatencyEventTime.pipeline.p.sink.out.task.in-0:2000|ms");
      assertThat(lines).filteredOn(l -> l.startsWith("nipSinkLatencyEventTime.")).hasSize(2);
    }
  }

  @Test
  void bad_settings_are_refused_naming_the_value() {
    assertThatThrownBy(() -> MetricsCollector.builder("c").exportInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("exportInterval").hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> MetricsCollector.builder("c").statsd("localhost", 0, StatsdFlavor.ETSY))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("statsd port");
  }

  /** Receives lines until {@code count} of them contain {@code part}, running {@code between} before each wait. */
  private static void receiveUntil(DatagramSocket agent, List<String> lines, int count, String part,
      Runnable between) throws java.io.IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && lines.stream().filter(l -> l.contains(part)).count() < count) {
      between.run();
      DatagramPacket packet = new DatagramPacket(new byte[65_535], 65_535);
      try {
        agent.receive(packet);
      } catch (java.net.SocketTimeoutException e) {
        continue;
      }
      lines.addAll(List.of(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8).split("\n")));
    }
  }

  private static double sum(MetricFamily family) {
    return family.getMetrics().stream()
        .mapToDouble(m -> ((org.hawkular.agent.prometheus.types.Counter) m).getValue()).sum();
  }

  private static Map<String, MetricFamily> parse(String text) throws java.io.IOException {
    Map<String, MetricFamily> families = new HashMap<>();
    TextPrometheusMetricDataParser parser =
        new TextPrometheusMetricDataParser(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
      families.put(f.getName(), f);
    }
    return families;
  }
}
