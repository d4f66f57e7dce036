package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The tutorial's "Monitoring Streaming Pipelines" metrics and health checks, as a user writes them. */
class TutorialMonitoringTest {

  @Test
  void the_tutorials_collector_and_monitor_watch_a_running_pipeline() throws Exception {
    CollectingSink<Integer> out = Sinks.collecting("out");
    // tag::usage[]
    try (MetricsCollector collector = MetricsCollector.builder("pipeline_metrics")
            .exportInterval(Duration.ofSeconds(10))
            .prometheus(0) // GET http://127.0.0.1:<port>/metrics; 0 = any free port
            .build();
        PipelineMonitor monitor = PipelineMonitor.builder("pipeline_monitor")
            .checkInterval(Duration.ofSeconds(30))
            .httpPort(0) // GET http://127.0.0.1:<port>/health: 200 when UP or DEGRADED, 503 when DOWN
            .build()
            .defaultChecks(collector.registry()) // consumer lag < 1000, error rate < 1 %, buffers < 80 %
            .healthCheck("output_seen", HealthCheck.of(() -> !out.values().isEmpty(), "the sink wrote"))
            .start()) {
      Pipeline pipeline = Pipeline.named("numbers",
          PipelineConfig.builder().meterRegistry(collector.registry()).build());
      pipeline.from(Sources.collection("in", IntStream.range(0, 1_000).boxed().toList()),
          WatermarkStrategy.<Integer>processingTime()).filter(i -> i % 10 != 0).to(out);
      try (PipelineHandle handle = pipeline.start()) {
        handle.awaitTermination();
      }
      collector.counter("events_processed").increment(out.values().size());
      Statistics stats = collector.statistics(); // events per second, latency p50/p99, error rate
      HealthReport health = monitor.runChecks();
      // end::usage[]

      assertThat(stats.errorRate()).isZero();
      assertThat(stats.eventsPerSecond()).isPositive();
      assertThat(stats.latencyP50()).isPresent();
      assertThat(collector.scrape().orElseThrow()).contains("events_processed_total 900.0");
      assertThat(health.status()).isEqualTo(HealthStatus.UP);
      assertThat(health.checks().keySet())
          .containsExactly("consumer_lag", "error_rate", "buffer_utilization", "output_seen");
      assertThat(health.checks().get("error_rate").detail()).isEqualTo("error rate 0.0000 over 1000 records (limit 0.01)");
    }
  }
}
