package io.nip.monitoring;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.Deltas;
import io.nip.monitoring.internal.HttpEndpoint;
import io.nip.monitoring.internal.Readings;
import io.nip.monitoring.internal.Settings;
import io.nip.time.NipClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The tutorial's {@code MetricsCollector}: one Micrometer registry that a pipeline records into
 * ({@link #registry()}, given to {@code PipelineConfig.Builder#meterRegistry}) and that exports to a
 * Prometheus scrape endpoint and/or StatsD, plus the tutorial's user metrics ({@link #counter},
 * {@link #gauge}, {@link #histogram}, {@link #timer}) and {@link #statistics()}.
 *
 * <pre>{@code
 * MetricsCollector collector = MetricsCollector.builder("pipeline_metrics")
 *     .exportInterval(Duration.ofSeconds(10)).prometheus(9404).statsd("127.0.0.1", 8125, StatsdFlavor.ETSY).build();
 * Pipeline p = Pipeline.named("orders", PipelineConfig.builder().meterRegistry(collector.registry()).build());
 * }</pre>
 *
 * <p>The scrape endpoint serves Micrometer's Prometheus text output at {@code /metrics}, bound to
 * 127.0.0.1 unless {@link Builder#bindAddress} says otherwise. Timers and histograms made here
 * publish p50, p99 and p99.9. Thread-safe. Close it to stop the exporters.
 */
public final class MetricsCollector implements AutoCloseable {
  /** Path of the Prometheus scrape endpoint. */
  public static final String METRICS_PATH = "/metrics";
  private static final double[] PERCENTILES = {0.5, 0.99, 0.999};

  private final String name;
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  /** The child registry that statistics read percentiles from (a composite has no values of its own). */
  private final MeterRegistry readings;
  private final PrometheusMeterRegistry prometheus;
  private final StatsdMeterRegistry statsd;
  private final HttpEndpoint endpoint;
  private final Deltas deltas;

  private MetricsCollector(Builder b) {
    this.name = b.name;
    this.prometheus = b.prometheusPort < 0 ? null : new PrometheusMeterRegistry(prometheusConfig(b.exportInterval));
    this.statsd = b.statsdHost == null ? null
        : new StatsdMeterRegistry(statsdConfig(b), Clock.SYSTEM);
    MeterRegistry first = prometheus != null ? prometheus : new SimpleMeterRegistry();
    registry.add(first);
    if (statsd != null) {
      registry.add(statsd);
    }
    this.readings = first;
    this.deltas = new Deltas(registry, b.clock);
    try {
      this.endpoint = prometheus == null ? null : HttpEndpoint.start(name + "-metrics",
          new InetSocketAddress(b.bindAddress, b.prometheusPort), Map.of(METRICS_PATH,
              () -> new HttpEndpoint.Response(200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape())));
    } catch (RuntimeException e) {
      registry.close(); // the StatsD client was started
      throw e;
    }
  }

  private static PrometheusConfig prometheusConfig(Duration step) {
    return new PrometheusConfig() {
      @Override
      public String get(String key) {
        return null;
      }

      @Override
      public Duration step() {
        return step;
      }
    };
  }

  private static StatsdConfig statsdConfig(Builder b) {
    return new StatsdConfig() {
      @Override
      public String get(String key) {
        return null;
      }

      @Override
      public StatsdFlavor flavor() {
        return b.statsdFlavor;
      }

      @Override
      public String host() {
        return b.statsdHost;
      }

      @Override
      public int port() {
        return b.statsdPort;
      }

      @Override
      public Duration step() {
        return b.exportInterval;
      }

      @Override
      public Duration pollingFrequency() {
        return b.exportInterval;
      }
    };
  }

  /**
   * @param name names the collector's threads and log lines, e.g. {@code "pipeline_metrics"}
   * @return a builder: no exporter, export interval 10 s, bind address 127.0.0.1, the system clock
   * @throws NullPointerException when {@code name} is null
   */
  public static Builder builder(String name) {
    return new Builder(Objects.requireNonNull(name, "name"));
  }

  /** @return the collector's name */
  public String name() {
    return name;
  }

  /**
   * @return the registry to give a pipeline ({@code PipelineConfig.Builder#meterRegistry}); what is
   *     recorded in it goes to every exporter
   */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * A user counter, e.g. {@code collector.counter("events_processed").increment()}.
   *
   * @param name the metric name
   * @param tags tag keys and values in turn
   * @return the counter (the same one on every call with the same name and tags)
   */
  public Counter counter(String name, String... tags) {
    return Counter.builder(name).tags(tags).register(registry);
  }

  /**
   * A user gauge whose value is read from {@code value} at each export or scrape.
   *
   * @param name the metric name, e.g. {@code "processing_latency_ms"}
   * @param value read on any thread; must be cheap and not block
   * @param tags tag keys and values in turn
   * @return the gauge
   */
  public Gauge gauge(String name, Supplier<Number> value, String... tags) {
    Objects.requireNonNull(value, "value");
    return Gauge.builder(name, value).tags(tags).register(registry);
  }

  /**
   * A user histogram publishing p50, p99 and p99.9, e.g. {@code histogram("event_size_bytes").record(512)}.
   *
   * @param name the metric name
   * @param tags tag keys and values in turn
   * @return the distribution summary
   */
  public DistributionSummary histogram(String name, String... tags) {
    return DistributionSummary.builder(name).tags(tags).publishPercentiles(PERCENTILES).register(registry);
  }

  /**
   * A user timer publishing p50, p99 and p99.9, e.g. {@code timer("processing_time").record(() -> work())}.
   *
   * @param name the metric name
   * @param tags tag keys and values in turn
   * @return the timer
   */
  public Timer timer(String name, String... tags) {
    return Timer.builder(name).tags(tags).publishPercentiles(PERCENTILES).register(registry);
  }

  /**
   * The tutorial's {@code get_statistics()}: throughput and error rate since the previous call (or
   * since the collector was built), and the end-to-end latency percentiles of the sinks.
   *
   * @return the statistics now
   */
  public Statistics statistics() {
    Deltas.Window w = deltas.next();
    return new Statistics(w.recordsPerSecond(), latency(0.5), latency(0.99), w.errorRate());
  }

  private Optional<Duration> latency(double percentile) {
    double ms = Readings.timerPercentileMillis(readings, Readings.EVENT_TIME_LATENCY, percentile);
    return Double.isNaN(ms) ? Optional.empty() : Optional.of(Duration.ofNanos(Math.round(ms * 1_000_000)));
  }

  /** @return the Prometheus text output now, empty when the Prometheus exporter is off */
  public Optional<String> scrape() {
    return prometheus == null ? Optional.empty() : Optional.of(prometheus.scrape());
  }

  /** @return where the scrape endpoint listens (path {@value #METRICS_PATH}), empty when it is off */
  public Optional<InetSocketAddress> prometheusAddress() {
    return endpoint == null ? Optional.empty() : Optional.of(endpoint.address());
  }

  /** Stops the scrape endpoint, sends what StatsD has buffered and closes the registries. */
  @Override
  public void close() {
    if (endpoint != null) {
      endpoint.close();
    }
    registry.close();
  }

  /** Settings of a {@link MetricsCollector}; every setter validates and names a bad value. */
  public static final class Builder {
    private final String name;
    private Duration exportInterval = Duration.ofSeconds(10);
    private String bindAddress = "127.0.0.1";
    private int prometheusPort = -1;
    private String statsdHost;
    private int statsdPort;
    private StatsdFlavor statsdFlavor;
    private NipClock clock = NipClock.system();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * @param interval how often StatsD lines are flushed and gauges polled, and the step of the
     *     registries' percentile windows; positive
     * @return this builder
     * @throws ConfigurationException when it is not positive
     */
    public Builder exportInterval(Duration interval) {
      Objects.requireNonNull(interval, "exportInterval");
      if (interval.isZero() || interval.isNegative()) {
        throw ConfigurationException.invalid("exportInterval", interval, "must be positive");
      }
      this.exportInterval = interval;
      return this;
    }

    /**
     * Serves the Prometheus scrape endpoint at {@value #METRICS_PATH}.
     *
     * @param port the TCP port, 0 for any free one ({@link #prometheusAddress()} tells which)
     * @return this builder
     * @throws ConfigurationException when the port is outside 0..65535
     */
    public Builder prometheus(int port) {
      this.prometheusPort = Settings.port("prometheus port", port);
      return this;
    }

    /**
     * @param address the address the scrape endpoint binds to; default 127.0.0.1
     * @return this builder
     * @throws ConfigurationException when it is blank
     */
    public Builder bindAddress(String address) {
      this.bindAddress = Settings.host("bindAddress", address);
      return this;
    }

    /**
     * Sends every meter to a StatsD agent over UDP.
     *
     * @param host the agent's host
     * @param port its UDP port, 1..65535
     * @param flavor the line format the agent reads (plain Etsy, Datadog, Telegraf, Sysdig)
     * @return this builder
     * @throws ConfigurationException when the host is blank or the port outside 1..65535
     */
    public Builder statsd(String host, int port, StatsdFlavor flavor) {
      Objects.requireNonNull(flavor, "statsd flavor");
      Settings.host("statsd host", host);
      if (port < 1 || port > 65_535) {
        throw ConfigurationException.invalid("statsd port", port, "must be within 1..65535");
      }
      this.statsdHost = host;
      this.statsdPort = port;
      this.statsdFlavor = flavor;
      return this;
    }

    /**
     * @param clock measures the intervals of {@link #statistics()}; the system clock by default
     * @return this builder
     */
    public Builder clock(NipClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Creates the registries and starts the exporters.
     *
     * @return the running collector
     * @throws ConfigurationException when the scrape endpoint cannot bind its address
     */
    public MetricsCollector build() {
      return new MetricsCollector(this);
    }
  }
}
