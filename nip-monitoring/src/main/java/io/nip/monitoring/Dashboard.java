package io.nip.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.DashboardData;
import io.nip.monitoring.internal.HttpEndpoint;
import io.nip.monitoring.internal.PrometheusText;
import io.nip.monitoring.internal.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tutorial's {@code dashboard(title)}: a live web page of a pipeline's figures, served over
 * HTTP by the pipeline's own process or, for a pipeline running elsewhere, from its Prometheus
 * scrape endpoint ({@code nip dashboard --metrics-url}). It shows throughput (records/s read by the
 * sources and written by the sinks), end-to-end latency p50/p99, error rate, consumer lag, buffer
 * utilization, window output rate and the health status, each as a figure and a chart that moves,
 * and a table of sources, operators ({@code nip.operator.*} meters, by {@code operator} tag) and
 * sinks. Its script and the uPlot charting library are served from the jar: no CDN.
 *
 * <pre>{@code
 * try (MetricsCollector collector = MetricsCollector.builder("metrics").prometheus(0).build();
 *     PipelineMonitor monitor = PipelineMonitor.builder("monitor").build().defaultChecks(collector.registry()).start();
 *     Dashboard dashboard = Dashboard.builder("Streaming Pipeline Metrics")
 *         .collector(collector).monitor(monitor).port(0).start()) {
 *   System.out.println("dashboard: " + dashboard.url()); // http://127.0.0.1:<port>/
 *   ... run the pipeline with PipelineConfig.builder().meterRegistry(collector.registry()) ...
 * }
 * }</pre>
 *
 * <p>Paths: {@code /} the page, {@value #API_PATH} the JSON it polls, and, for a pipeline in this
 * process, {@value MetricsCollector#METRICS_PATH} (Prometheus text) and, with a monitor,
 * {@value PipelineMonitor#HEALTH_PATH} (as {@link PipelineMonitor} serves it), so one port serves
 * all. A daemon thread reads the figures every {@link Builder#refreshInterval refresh interval}
 * (default 1 s) and keeps the last {@link Builder#historySize} readings for the charts; the page
 * polls at the same interval. Binds to 127.0.0.1 unless {@link Builder#bindAddress} says otherwise.
 * Thread-safe; close it to stop serving.
 */
public final class Dashboard implements AutoCloseable {
  /** Path of the JSON document the page polls. */
  public static final String API_PATH = "/api/metrics";
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ASSETS = "io/nip/monitoring/dashboard/";
  /** uPlot's files in its webjar, whose version its pom.properties tells. */
  private static final String UPLOT = "META-INF/resources/webjars/uplot/" + webjarVersion("org.webjars.npm/uplot")
      + "/dist/";

  private final String title;
  private final PipelineMonitor monitor;
  private final URI metricsUrl;
  private final URI healthUrl;
  private final Duration requestTimeout;
  private final DashboardData data;
  private final Supplier<String> scrape;
  private final Runnable detach;
  private final HttpClient http;
  private final HttpEndpoint endpoint;
  private final ScheduledExecutorService sampler;

  private Dashboard(Builder b) {
    this.title = b.title;
    this.monitor = b.monitor;
    this.metricsUrl = b.metricsUrl;
    this.healthUrl = b.healthUrl;
    this.requestTimeout = b.refreshInterval.multipliedBy(5);
    PrometheusMeterRegistry own = null;
    Supplier<String> text;
    if (b.registry != null) {
      PrometheusMeterRegistry found = prometheusOf(b.registry);
      if (found == null) {
        own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ((CompositeMeterRegistry) b.registry).add(own);
        found = own;
      }
      text = found::scrape;
    } else {
      text = null;
    }
    PrometheusMeterRegistry attached = own;
    this.detach = attached == null ? () -> { } : () -> {
      ((CompositeMeterRegistry) b.registry).remove(attached);
      attached.close();
    };
    this.http = b.metricsUrl == null && b.healthUrl == null ? null
        : HttpClient.newBuilder().connectTimeout(b.refreshInterval.multipliedBy(2)).build();
    this.scrape = text != null ? text : this::fetchMetrics;
    this.data = new DashboardData(title, b.refreshInterval.toMillis(), b.historySize, b.windowOperator,
        b.metricsUrl == null ? null : b.metricsUrl.toString());
    Map<String, Supplier<HttpEndpoint.Response>> routes = new LinkedHashMap<>();
    routes.put("/", () -> ok("text/html; charset=utf-8", page()));
    routes.put("/dashboard.js", asset("text/javascript; charset=utf-8", ASSETS + "dashboard.js"));
    routes.put("/dashboard.css", asset("text/css; charset=utf-8", ASSETS + "dashboard.css"));
    routes.put("/uPlot.iife.min.js", asset("text/javascript; charset=utf-8", UPLOT + "uPlot.iife.min.js"));
    routes.put("/uPlot.min.css", asset("text/css; charset=utf-8", UPLOT + "uPlot.min.css"));
    routes.put(API_PATH, () -> ok("application/json", data.json()));
    if (text != null) {
      routes.put(MetricsCollector.METRICS_PATH, () -> ok("text/plain; version=0.0.4; charset=utf-8", text.get()));
    }
    if (monitor != null) {
      routes.put(PipelineMonitor.HEALTH_PATH, () -> {
        HealthReport r = monitor.health();
        return new HttpEndpoint.Response(r.httpStatus(), "application/json", PipelineMonitor.toJson(r));
      });
    }
    refresh();
    try {
      this.endpoint = HttpEndpoint.start(b.title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + "-dashboard",
          new InetSocketAddress(b.bindAddress, b.port), routes);
    } catch (RuntimeException e) {
      detach.run();
      throw e;
    }
    this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nip-dashboard-sampler");
      t.setDaemon(true);
      return t;
    });
    long every = b.refreshInterval.toMillis();
    sampler.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * @param title the page's title, e.g. {@code "Streaming Pipeline Metrics"}
   * @return a builder: port 0 (any free port), bind address 127.0.0.1, refresh every second, 300
   *     readings of history; give it a registry or a metrics URL
   * @throws NullPointerException when the title is null
   */
  public static Builder builder(String title) {
    return new Builder(Objects.requireNonNull(title, "title"));
  }

  private static PrometheusMeterRegistry prometheusOf(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (registry instanceof CompositeMeterRegistry c) {
      for (MeterRegistry child : c.getRegistries()) {
        if (child instanceof PrometheusMeterRegistry || child instanceof CompositeMeterRegistry) {
          PrometheusMeterRegistry p = prometheusOf(child);
          if (p != null) {
            return p;
          }
        }
      }
      return null;
    }
    throw new ConfigurationException("registry", "the dashboard reads a Prometheus or composite registry (a "
        + "MetricsCollector's registry()), not a " + registry.getClass().getSimpleName());
  }

  /**
   * Takes a reading now (the sampling thread does so every refresh interval): the figures, and the
   * health report when there is a monitor or a health URL. A reading that fails (the metrics URL does
   * not answer, its text does not parse) is shown on the page as an error, beside the last figures.
   */
  public void refresh() {
    long at = System.currentTimeMillis();
    try {
      JsonNode health = health();
      data.record(at, PrometheusText.parse(scrape.get()), health);
    } catch (RuntimeException e) {
      String why = e instanceof UncheckedIOException u ? String.valueOf(u.getCause()) : e.getMessage();
      data.recordFailure(at, why);
      LOG.debug("dashboard '{}': reading failed: {}", title, why);
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException | Error e) {
      LOG.warn("dashboard '{}': reading failed", title, e);
    }
  }

  private JsonNode health() {
    if (monitor != null) {
      return toTree(PipelineMonitor.toJson(monitor.health()));
    }
    if (healthUrl == null) {
      return null;
    }
    try {
      HttpResponse<String> r = get(healthUrl);
      JsonNode node = toTree(r.body());
      if (!node.isObject() || !node.has("status")) {
        return unknown("GET " + healthUrl + " answered " + r.statusCode() + " without a status");
      }
      return node;
    } catch (IOException | RuntimeException e) {
      return unknown("GET " + healthUrl + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unknown("interrupted");
    }
  }

  private static ObjectNode unknown(String detail) {
    ObjectNode o = JSON.createObjectNode().put("status", "UNKNOWN").put("detail", detail);
    o.putObject("checks");
    return o;
  }

  private static JsonNode toTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }

  private String fetchMetrics() {
    try {
      HttpResponse<String> r = get(metricsUrl);
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + metricsUrl + " answered HTTP " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new IllegalStateException("GET " + metricsUrl + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + metricsUrl, e);
    }
  }

  private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private String page() {
    String html = resource(ASSETS + "index.html");
    return html.replace("{{title}}", escapeHtml(title));
  }

  private static Supplier<HttpEndpoint.Response> asset(String contentType, String path) {
    String body = resource(path);
    return () -> ok(contentType, body);
  }

  private static HttpEndpoint.Response ok(String contentType, String body) {
    return new HttpEndpoint.Response(200, contentType, body);
  }

  private static String resource(String path) {
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's asset " + path + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the dashboard's asset " + path, e);
    }
  }

  private static String webjarVersion(String groupAndArtifact) {
    Properties p = new Properties();
    try (InputStream in = Dashboard.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/" + groupAndArtifact + "/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the webjar " + groupAndArtifact + " is not on the class path");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the version of the webjar " + groupAndArtifact, e);
    }
    return p.getProperty("version");
  }

  private static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** @return the title */
  public String title() {
    return title;
  }

  /** @return where the dashboard listens (with the port chosen when 0 was asked for) */
  public InetSocketAddress address() {
    return endpoint.address();
  }

  /** @return the page's URL, e.g. {@code http://127.0.0.1:40123/} */
  public URI url() {
    InetSocketAddress a = endpoint.address();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort() + "/");
  }

  /** @return the JSON document the page polls now (see {@value #API_PATH}) */
  public String json() {
    return data.json();
  }

  /** Stops the sampling thread and the server; a registry attached to the pipeline's is removed. */
  @Override
  public void close() {
    sampler.shutdownNow();
    endpoint.close();
    detach.run();
  }

  /** Settings of a {@link Dashboard}; every setter validates and names a bad value. */
  public static final class Builder {
    private final String title;
    private MeterRegistry registry;
    private URI metricsUrl;
    private PipelineMonitor monitor;
    private URI healthUrl;
    private String bindAddress = "127.0.0.1";
    private int port;
    private Duration refreshInterval = Duration.ofSeconds(1);
    private int historySize = 300;
    private Predicate<String> windowOperator = name -> name.toLowerCase(Locale.ROOT).contains("window");

    private Builder(String title) {
      this.title = title;
    }

    /**
     * Shows a pipeline of this process: its collector's registry (see {@link #registry}).
     *
     * @param collector the collector given to the pipeline
     * @return this builder
     */
    public Builder collector(MetricsCollector collector) {
      return registry(collector.registry());
    }

    /**
     * Shows the meters of a registry that pipelines of this process record into. A Prometheus
     * registry, or a composite holding one, is read as it is; to a composite without one (a
     * {@link MetricsCollector} exporting to StatsD only) the dashboard adds a Prometheus registry of
     * its own until it is closed.
     *
     * @param registry a {@link PrometheusMeterRegistry} or {@link CompositeMeterRegistry}
     * @return this builder
     * @throws ConfigurationException for another kind of registry
     */
    public Builder registry(MeterRegistry registry) {
      Objects.requireNonNull(registry, "registry");
      if (!(registry instanceof PrometheusMeterRegistry) && !(registry instanceof CompositeMeterRegistry)) {
        prometheusOf(registry); // throws, naming the kind
      }
      this.registry = registry;
      this.metricsUrl = null;
      return this;
    }

    /**
     * Shows a pipeline running elsewhere from its Prometheus scrape endpoint, read every refresh
     * interval.
     *
     * @param url e.g. {@code http://127.0.0.1:9404/metrics}
     * @return this builder
     * @throws ConfigurationException when not an absolute http or https URL
     */
    public Builder metricsUrl(String url) {
      this.metricsUrl = url("metricsUrl", url);
      this.registry = null;
      return this;
    }

    /**
     * @param monitor the pipeline's monitor: its latest report is shown and served at {@code /health}
     * @return this builder
     */
    public Builder monitor(PipelineMonitor monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor");
      return this;
    }

    /**
     * @param url a {@code /health} endpoint (of a {@link PipelineMonitor} elsewhere) read every refresh
     *     interval; its status is shown
     * @return this builder
     * @throws ConfigurationException when not an absolute http or https URL
     */
    public Builder healthUrl(String url) {
      this.healthUrl = url("healthUrl", url);
      return this;
    }

    private static URI url(String setting, String url) {
      Objects.requireNonNull(url, setting);
      URI uri;
      try {
        uri = URI.create(url.strip());
      } catch (IllegalArgumentException e) {
        throw ConfigurationException.invalid(setting, url, "is not a URL");
      }
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null) {
        throw ConfigurationException.invalid(setting, url, "must be an absolute http or https URL");
      }
      return uri;
    }

    /**
     * @param port the TCP port, 0 (the default) for any free one ({@link #url()} tells which)
     * @return this builder
     * @throws ConfigurationException when outside 0..65535
     */
    public Builder port(int port) {
      this.port = Settings.port("port", port);
      return this;
    }

    /**
     * @param address the address to bind; default 127.0.0.1 (this machine only)
     * @return this builder
     * @throws ConfigurationException when blank
     */
    public Builder bindAddress(String address) {
      this.bindAddress = Settings.host("bindAddress", address);
      return this;
    }

    /**
     * @param interval how often the figures are read and the page polls; 100 ms to 1 min
     * @return this builder
     * @throws ConfigurationException when outside that range
     */
    public Builder refreshInterval(Duration interval) {
      Settings.atLeast("refreshInterval", interval, Duration.ofMillis(100));
      if (interval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw ConfigurationException.invalid("refreshInterval", interval, "must be at most 1 minute");
      }
      this.refreshInterval = interval;
      return this;
    }

    /**
     * @param readings how many readings the charts show (default 300: five minutes at 1 s); 2..10,000
     * @return this builder
     * @throws ConfigurationException when outside that range
     */
    public Builder historySize(int readings) {
      if (readings < 2 || readings > 10_000) {
        throw ConfigurationException.invalid("historySize", readings, "must be within 2..10000");
      }
      this.historySize = readings;
      return this;
    }

    /**
     * @param isWindowOperator which operators' output ({@code nip.operator.records.out}) makes the
     *     window output rate, by operator name; default: names containing "window", any case
     * @return this builder
     */
    public Builder windowOperators(Predicate<String> isWindowOperator) {
      this.windowOperator = Objects.requireNonNull(isWindowOperator, "windowOperators");
      return this;
    }

    /**
     * Takes a first reading and starts serving.
     *
     * @return the running dashboard
     * @throws ConfigurationException without a registry or metrics URL, or when the address cannot
     *     be bound
     */
    public Dashboard start() {
      if (registry == null && metricsUrl == null) {
        throw new ConfigurationException("registry", "the dashboard needs a registry (collector(..), registry(..)) "
            + "or a metrics URL (metricsUrl(..))");
      }
      return new Dashboard(this);
    }
  }
}
