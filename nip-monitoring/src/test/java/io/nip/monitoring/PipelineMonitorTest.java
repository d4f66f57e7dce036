package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.time.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PipelineMonitorTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void when_checks_are_due_every_interval_of_virtual_time_then_they_run_only_then() {
    // Given a monitor checking every 30 s on a manual clock, with a check that counts its runs
    ManualClock clock = new ManualClock(START);
    AtomicLong runs = new AtomicLong();
    PipelineMonitor monitor = PipelineMonitor.builder("m").checkInterval(Duration.ofSeconds(30)).clock(clock).build()
        .healthCheck("counting", () -> HealthResult.up("run " + runs.incrementAndGet()));

    // When the clock moves in steps of 10 s
    boolean first = monitor.runIfDue();
    clock.advance(Duration.ofSeconds(10));
    boolean at10 = monitor.runIfDue();
    clock.advance(Duration.ofSeconds(20));
    boolean at30 = monitor.runIfDue();

    // Then the checks ran at 0 s and 30 s only, and the report carries the virtual time
    assertThat(first).isTrue();
    assertThat(at10).isFalse();
    assertThat(at30).isTrue();
    assertThat(runs).hasValue(2);
    assertThat(monitor.health().checkedAt()).isEqualTo(START.plusSeconds(30));
    assertThat(monitor.health().checks().get("counting").detail()).isEqualTo("run 2");
  }

  @Test
  void the_overall_status_is_the_worst_of_the_checks() {
    PipelineMonitor monitor = PipelineMonitor.builder("m").clock(new ManualClock(START)).build();
    assertThat(monitor.runChecks().status()).isEqualTo(HealthStatus.UP);

    monitor.healthCheck("a", () -> HealthResult.up("fine"));
    monitor.healthCheck("b", () -> HealthResult.degraded("slow"));
    assertThat(monitor.runChecks().status()).isEqualTo(HealthStatus.DEGRADED);

    monitor.healthCheck("c", () -> {
      throw new IllegalStateException("broken");
    });
    HealthReport report = monitor.runChecks();
    assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(report.checks().get("c").detail()).contains("broken");
    assertThat(report.checks().keySet()).containsExactly("a", "b", "c");
    assertThat(report.httpStatus()).isEqualTo(503);
  }

  @Test
  void the_tutorials_checks_read_lag_errors_and_buffers_from_the_registry() {
    // Given a registry with one partition's lag, a half-full buffer and 1000 records with 20 errors
    ManualClock clock = new ManualClock(START);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong lag = new AtomicLong(10);
    Gauge.builder("nip.kafka.consumer.lag", lag, AtomicLong::get).tag("partition", "0").register(registry);
    AtomicLong size = new AtomicLong(50);
    Gauge.builder("nip.buffer.size", size, AtomicLong::get).tag("task", "t0").register(registry);
    Gauge.builder("nip.buffer.capacity", () -> 100).tag("task", "t0").register(registry);
    AtomicLong read = new AtomicLong();
    io.micrometer.core.instrument.FunctionCounter.builder("nip.source.records", read, AtomicLong::get)
        .register(registry);
    PipelineMonitor monitor = PipelineMonitor.builder("m").clock(clock).build().defaultChecks(registry);

    // When: healthy values, then lag 1000, buffer 80 % and 2 % errors since the previous run
    HealthReport healthy = monitor.runChecks();
    lag.set(1000);
    size.set(80);
    read.set(1000);
    registry.counter("nip.errors", "outcome", "dlq").increment(20);
    HealthReport unhealthy = monitor.runChecks();

    // Then
    assertThat(healthy.status()).isEqualTo(HealthStatus.UP);
    assertThat(unhealthy.checks().get("consumer_lag"))
        .isEqualTo(HealthResult.degraded("max consumer lag 1000 records (limit 1000)"));
    assertThat(unhealthy.checks().get("buffer_utilization"))
        .isEqualTo(HealthResult.degraded("fullest buffer 80.0% (limit 80.0%)"));
    assertThat(unhealthy.checks().get("error_rate"))
        .isEqualTo(HealthResult.down("error rate 0.0200 over 1000 records (limit 0.01)"));
    assertThat(unhealthy.status()).isEqualTo(HealthStatus.DOWN);
  }

  @Test
  void health_endpoint_answers_200_then_503_when_a_check_fails() throws Exception {
    // Given a started monitor on 127.0.0.1, any port, with a check we can break
    AtomicBoolean healthy = new AtomicBoolean(true);
    try (PipelineMonitor monitor = PipelineMonitor.builder("orders").checkInterval(Duration.ofHours(1)).httpPort(0)
        .build().healthCheck("flag", HealthCheck.of(healthy::get, "flag is set")).start()) {
      URI uri = URI.create("http://127.0.0.1:" + monitor.httpAddress().orElseThrow().getPort() + "/health");
      HttpClient http = HttpClient.newHttpClient();

      // When it is asked before and after the check fails
      HttpResponse<String> up = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      healthy.set(false);
      monitor.runChecks();
      HttpResponse<String> down = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());

      // Then
      assertThat(monitor.httpAddress().orElseThrow().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(up.body()).contains("\"name\":\"orders\"", "\"status\":\"UP\"",
          "\"flag\":{\"status\":\"UP\",\"detail\":\"flag is set\"}");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).contains("\"status\":\"DOWN\"", "\"flag\":{\"status\":\"DOWN\"");
    }
  }

  @Test
  void bad_settings_are_refused_naming_the_value() {
    assertThatThrownBy(() -> PipelineMonitor.builder("m").checkInterval(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("checkInterval").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> PipelineMonitor.builder("m").httpPort(70_000))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("70000");
    assertThatThrownBy(() -> HealthChecks.errorRate(new SimpleMeterRegistry(), 1.5, new ManualClock(START)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("1.5");
  }
}
