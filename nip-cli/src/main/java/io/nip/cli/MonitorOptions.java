package io.nip.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.nip.monitoring.Dashboard;
import io.nip.monitoring.MetricsCollector;
import io.nip.monitoring.PipelineMonitor;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --monitor [--port P] [--linger]} of {@code nip demo analytics}: while the demo runs, one
 * port on 127.0.0.1 serves its Prometheus metrics ({@code /metrics}), its health ({@code /health},
 * the tutorial's three checks every second) and the live dashboard ({@code /}); with
 * {@code --linger} they stay up after the demo ended, until Ctrl-C.
 */
final class MonitorOptions {
  @Option(names = "--monitor",
      description = "serve the metrics (/metrics, Prometheus), the health (/health) and a live dashboard (/) on "
          + "127.0.0.1 while the demo runs; their URLs are printed")
  boolean monitor;

  @Option(names = "--port", paramLabel = "P",
      description = "the port of --monitor (default: any free port)")
  Integer port;

  @Option(names = "--linger",
      description = "with --monitor: keep serving after the demo ended, until Ctrl-C")
  boolean linger;

  /** @throws NipCommand.UsageException when --port or --linger come without --monitor, or the port is out of range */
  void validate() {
    if (!monitor && (port != null || linger)) {
      throw new NipCommand.UsageException((port != null ? "--port" : "--linger") + " needs --monitor");
    }
    if (port != null && (port < 0 || port > 65_535)) {
      throw new NipCommand.UsageException("--port must be within 0..65535 (0: any free port), but was " + port);
    }
  }

  /**
   * Starts the monitoring when {@code --monitor} was given and prints its URLs.
   *
   * @param name names the collector and monitor, e.g. {@code "analytics"}
   * @param title the dashboard's title
   * @param err where the URLs are printed
   * @return the running monitoring, or null without {@code --monitor}
   */
  Monitoring start(String name, String title, PrintWriter err) {
    if (!monitor) {
      return null;
    }
    Monitoring m = new Monitoring(name, title, port == null ? 0 : port);
    URI base = m.dashboard.url();
    err.println("monitoring (127.0.0.1 only):");
    err.println("  dashboard   " + base);
    err.println("  metrics     " + base.resolve(MetricsCollector.METRICS_PATH));
    err.println("  health      " + base.resolve(PipelineMonitor.HEALTH_PATH));
    err.flush();
    return m;
  }

  /** A collector, a monitor with the default checks and a dashboard serving all three on one port. */
  static final class Monitoring implements AutoCloseable {
    final MetricsCollector collector;
    final PipelineMonitor monitor;
    final Dashboard dashboard;

    Monitoring(String name, String title, int port) {
      this.collector = MetricsCollector.builder(name + "_metrics").build();
      PipelineMonitor m = null;
      try {
        m = PipelineMonitor.builder(name + "_monitor").checkInterval(Duration.ofSeconds(1)).build()
            .defaultChecks(collector.registry()).start();
        this.dashboard = Dashboard.builder(title).collector(collector).monitor(m).port(port).start();
      } catch (RuntimeException e) {
        if (m != null) {
          m.close();
        }
        collector.close();
        throw e;
      }
      this.monitor = m;
    }

    /** @return the registry to give the pipeline */
    MeterRegistry registry() {
      return collector.registry();
    }

    @Override
    public void close() {
      dashboard.close();
      monitor.close();
      collector.close();
    }
  }
}
