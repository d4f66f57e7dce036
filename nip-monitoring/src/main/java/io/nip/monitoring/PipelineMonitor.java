package io.nip.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.HttpEndpoint;
import io.nip.monitoring.internal.Settings;
import io.nip.time.NipClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The tutorial's {@code PipelineMonitor}: named health checks run every check interval, an overall
 * status (the worst of the checks', see {@link HealthStatus}) and an HTTP {@value #HEALTH_PATH}
 * endpoint for Kubernetes probes (JSON, 200 when UP or DEGRADED, 503 when DOWN).
 *
 * <pre>{@code
 * PipelineMonitor monitor = PipelineMonitor.builder("pipeline_monitor").checkInterval(Duration.ofSeconds(30))
 *     .httpPort(8081).build().defaultChecks(collector.registry()).start();
 * }</pre>
 *
 * <p>Time: checks are due every {@code checkInterval} of the injected {@link NipClock}; after
 * {@link #start()} a daemon thread asks {@link #runIfDue()} a few times per interval, and tests on
 * a {@code ManualClock} call it themselves. Thread-safe.
 */
public final class PipelineMonitor implements AutoCloseable {
  /** Path of the health endpoint. */
  public static final String HEALTH_PATH = "/health";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Duration checkInterval;
  private final NipClock clock;
  private final InetSocketAddress httpAddress;
  private final Map<String, HealthCheck> checks = Collections.synchronizedMap(new LinkedHashMap<>());
  private volatile HealthReport last;
  private long nextDueMillis = Long.MIN_VALUE;
  private ScheduledExecutorService scheduler;
  private HttpEndpoint endpoint;

  private PipelineMonitor(Builder b) {
    this.name = b.name;
    this.checkInterval = b.checkInterval;
    this.clock = b.clock;
    this.httpAddress = b.httpPort < 0 ? null : new InetSocketAddress(b.bindAddress, b.httpPort);
    this.last = new HealthReport(name, HealthStatus.UP, Map.of(), Instant.ofEpochMilli(clock.millis()));
  }

  /**
   * @param name the monitor's name, reported in {@code /health}
   * @return a builder: check interval 30 s, no HTTP endpoint, bind address 127.0.0.1, the system clock
   */
  public static Builder builder(String name) {
    return new Builder(Objects.requireNonNull(name, "name"));
  }

  /**
   * Adds (or replaces) a check.
   *
   * @param checkName the name it is reported under, e.g. {@code "consumer_lag"}
   * @param check the check
   * @return this monitor
   */
  public PipelineMonitor healthCheck(String checkName, HealthCheck check) {
    checks.put(Objects.requireNonNull(checkName, "checkName"), Objects.requireNonNull(check, "check"));
    return this;
  }

  /**
   * Adds the tutorial's three checks on a pipeline's registry: {@code consumer_lag} (below 1000
   * records, else DEGRADED), {@code error_rate} (below 1 %, else DOWN) and {@code buffer_utilization}
   * (below 80 %, else DEGRADED); see {@link HealthChecks}.
   *
   * @param registry the pipeline's registry
   * @return this monitor
   */
  public PipelineMonitor defaultChecks(MeterRegistry registry) {
    healthCheck("consumer_lag", HealthChecks.consumerLag(registry, 1000));
    healthCheck("error_rate", HealthChecks.errorRate(registry, 0.01, clock));
    return healthCheck("buffer_utilization", HealthChecks.bufferUtilization(registry, 0.8));
  }

  /**
   * Runs every check now.
   *
   * @return the new report, also served by {@code /health} from now on
   */
  public HealthReport runChecks() {
    Map<String, HealthResult> results = new LinkedHashMap<>();
    HealthStatus overall = HealthStatus.UP;
    Map<String, HealthCheck> copy;
    synchronized (checks) {
      copy = new LinkedHashMap<>(checks);
    }
    for (Map.Entry<String, HealthCheck> c : copy.entrySet()) {
      HealthResult r = run(c.getValue());
      results.put(c.getKey(), r);
      overall = overall.worst(r.status());
    }
    HealthReport report = new HealthReport(name, overall, Collections.unmodifiableMap(results),
        Instant.ofEpochMilli(clock.millis()));
    last = report;
    return report;
  }

  private static HealthResult run(HealthCheck check) {
    try {
      HealthResult r = check.check();
      return r == null ? HealthResult.down("the check returned no result") : r;
    } catch (RuntimeException e) {
      return HealthResult.down("the check failed: " + e);
    }
  }

  /**
   * Runs the checks when a check interval of the clock has passed since they last ran here (at once
   * the first time).
   *
   * @return true when they ran
   */
  public synchronized boolean runIfDue() {
    long now = clock.millis();
    if (nextDueMillis != Long.MIN_VALUE && now < nextDueMillis) {
      return false;
    }
    nextDueMillis = now + checkInterval.toMillis();
    runChecks();
    return true;
  }

  /** @return the latest report (UP with no checks before the first run) */
  public HealthReport health() {
    return last;
  }

  /**
   * Starts the checks' thread and, when configured, the HTTP endpoint.
   *
   * @return this monitor
   * @throws IllegalStateException when already started
   * @throws ConfigurationException when the endpoint cannot bind its address
   */
  public synchronized PipelineMonitor start() {
    if (scheduler != null) {
      throw new IllegalStateException("monitor '" + name + "' was already started");
    }
    runIfDue();
    if (httpAddress != null) {
      endpoint = HttpEndpoint.start(name + "-health", httpAddress, Map.of(HEALTH_PATH, this::answer));
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nip-" + name + "-checks");
      t.setDaemon(true);
      return t;
    });
    long poll = Math.max(10, Math.min(1_000, checkInterval.toMillis() / 4));
    scheduler.scheduleWithFixedDelay(this::runIfDue, poll, poll, TimeUnit.MILLISECONDS);
    return this;
  }

  private HttpEndpoint.Response answer() {
    HealthReport r = last;
    return new HttpEndpoint.Response(r.httpStatus(), "application/json", toJson(r));
  }

  /**
   * @param report a report
   * @return the JSON that {@code /health} serves for it
   */
  public static String toJson(HealthReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("name", report.name()).put("status", report.status().name())
        .put("checkedAt", report.checkedAt().toString());
    ObjectNode checksNode = root.putObject("checks");
    report.checks().forEach((n, r) -> checksNode.putObject(n).put("status", r.status().name())
        .put("detail", r.detail()));
    return root.toString();
  }

  /** @return where {@code /health} is served, empty when the endpoint is off or not started */
  public synchronized Optional<InetSocketAddress> httpAddress() {
    return endpoint == null ? Optional.empty() : Optional.of(endpoint.address());
  }

  /** Stops the checks' thread and the endpoint. */
  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  /** Settings of a {@link PipelineMonitor}; every setter validates and names a bad value. */
  public static final class Builder {
    private final String name;
    private Duration checkInterval = Duration.ofSeconds(30);
    private NipClock clock = NipClock.system();
    private String bindAddress = "127.0.0.1";
    private int httpPort = -1;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * @param interval how often the checks run; at least 1 ms
     * @return this builder
     * @throws ConfigurationException when it is shorter
     */
    public Builder checkInterval(Duration interval) {
      Objects.requireNonNull(interval, "checkInterval");
      if (interval.toMillis() < 1) {
        throw ConfigurationException.invalid("checkInterval", interval, "must be at least 1 ms");
      }
      this.checkInterval = interval;
      return this;
    }

    /**
     * @param clock the clock that times the checks and stamps the reports
     * @return this builder
     */
    public Builder clock(NipClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Serves {@value #HEALTH_PATH} once started.
     *
     * @param port the TCP port, 0 for any free one ({@link #httpAddress()} tells which)
     * @return this builder
     * @throws ConfigurationException when outside 0..65535
     */
    public Builder httpPort(int port) {
      this.httpPort = Settings.port("httpPort", port);
      return this;
    }

    /**
     * @param address the address the endpoint binds to; default 127.0.0.1
     * @return this builder
     * @throws ConfigurationException when blank
     */
    public Builder bindAddress(String address) {
      this.bindAddress = Settings.host("bindAddress", address);
      return this;
    }

    /** @return the monitor, not started */
    public PipelineMonitor build() {
      return new PipelineMonitor(this);
    }
  }
}
