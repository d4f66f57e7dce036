package io.nip.bench.e2e;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.monitoring.MetricsCollector;
import io.nip.monitoring.PipelineMonitor;
import io.nip.monitoring.SamplerType;
import io.nip.monitoring.TracingManager;
import io.nip.pipeline.Op;
import io.nip.pipeline.Stream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * What the {@code nip-monitored} contender runs beside exercise 1: everything a production
 * deployment of nip-monitoring would have on, so that its cost is measured whole.
 *
 * <ul>
 *   <li>the pipeline's meters in a Prometheus registry ({@link MetricsCollector}), scraped over HTTP
 *       every second (a Prometheus server scrapes every 15 s by default; once a second is the
 *       heavier case);
 *   <li>a {@link PipelineMonitor} with the default health checks, run every second, its
 *       {@code /health} read every second;
 *   <li>exercise 1's processing step, its bot filter, traced ({@link TracingManager}: a span per
 *       sampled event, 1 % of them, exported over OTLP/HTTP to a receiver on 127.0.0.1 that reads
 *       and drops them; the events it keeps carry their trace's {@code traceparent} on).
 * </ul>
 *
 * <p>Threading: the scrapes run on one daemon thread of their own, the OTLP receiver on the JDK
 * HTTP server's thread, the exporter on the SDK's; the pipeline's workers only record.
 */
final class FullMonitoring implements AutoCloseable {
  /** The fraction of records traced. */
  static final double TRACE_RATE = 0.01;

  private final HttpServer otlpReceiver;
  private final MetricsCollector collector;
  private final PipelineMonitor monitor;
  private final TracingManager tracing;
  private final ScheduledExecutorService scraper;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicLong scrapes = new AtomicLong();
  private final AtomicLong spanBytes = new AtomicLong();

  FullMonitoring() {
    try {
      otlpReceiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the OTLP receiver", e);
    }
    otlpReceiver.createContext("/v1/traces", exchange -> {
      try (InputStream body = exchange.getRequestBody()) {
        spanBytes.addAndGet(body.readAllBytes().length);
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    otlpReceiver.start();
    collector = MetricsCollector.builder("bench").prometheus(0).build();
    monitor = PipelineMonitor.builder("bench").checkInterval(Duration.ofSeconds(1)).httpPort(0).build()
        .defaultChecks(collector.registry()).start();
    tracing = TracingManager.builder("nip-bench").sampler(SamplerType.PROBABILISTIC, TRACE_RATE)
        .otlpHttp("http://127.0.0.1:" + otlpReceiver.getAddress().getPort()).build();
    URI metrics = URI.create("http://127.0.0.1:" + collector.prometheusAddress().orElseThrow().getPort() + "/metrics");
    URI health = URI.create("http://127.0.0.1:" + monitor.httpAddress().orElseThrow().getPort() + "/health");
    scraper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nip-bench-scraper");
      t.setDaemon(true);
      return t;
    });
    scraper.scheduleAtFixedRate(() -> {
      get(metrics);
      get(health);
      scrapes.incrementAndGet();
    }, 1, 1, TimeUnit.SECONDS);
  }

  private void get(URI uri) {
    try {
      http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return the registry the pipeline records into */
  MeterRegistry registry() {
    return collector.registry();
  }

  /**
   * @return the events {@code keep} accepts, filtered in a traced step (spans for 1 % of the
   *     events): exercise 1's bot filter ({@code AnalyticsPipeline.Builder.botFilter})
   */
  Stream<AnalyticsEvent> tracedFilter(Stream<AnalyticsEvent> events, Predicate<AnalyticsEvent> keep) {
    return tracing.trace("process_event").filter(events, keep, Op.named(AnalyticsPipeline.BOT_FILTER));
  }

  /** @return scrapes of /metrics and /health done so far */
  long scrapes() {
    return scrapes.get();
  }

  /** @return bytes of spans the receiver got so far */
  long spanBytes() {
    return spanBytes.get();
  }

  @Override
  public void close() {
    scraper.shutdownNow();
    tracing.close();
    monitor.close();
    collector.close();
    otlpReceiver.stop(0);
  }
}
