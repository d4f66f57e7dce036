package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferManager;
import io.nip.errors.ErrorPolicy;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * driven by Selenium): a pipeline keeps producing while the test reads the page, compares its figures
 * with the Prometheus endpoint read around the same moment, watches the charts move and saves a
 * screenshot as {@code target/dashboard.png}.
 */
class DashboardBrowserTest {
  private static final Duration REFRESH = Duration.ofMillis(500);
  private static final String PIPELINE = "clicks";

  @Test
  void the_page_shows_what_the_metrics_endpoint_says_and_its_charts_move_as_records_flow() throws Exception {
    // Given a pipeline that keeps producing (200 events/s, one in 250 failing its parse step, 1-s windows
    // per user) with a collector, a monitor and a dashboard on a free port
    Path chromium = executable("chromium");
    Path chromedriver = executable("chromedriver");
    WebDriver browser = browser(chromium, chromedriver); // before the generator's clock starts
    try (AutoCloseable quit = browser::quit;
        MetricsCollector collector = MetricsCollector.builder("browser_metrics").prometheus(0).build();
        PipelineMonitor monitor = PipelineMonitor.builder("browser_monitor").checkInterval(REFRESH).build()
            .defaultChecks(collector.registry()).start();
        Dashboard dashboard = Dashboard.builder("Streaming Pipeline Metrics").collector(collector).monitor(monitor)
            .refreshInterval(REFRESH).port(0).start()) {
      AtomicLong windows = new AtomicLong();
      Pipeline pipeline = Pipeline.named(PIPELINE, PipelineConfig.builder().meterRegistry(collector.registry())
          .errorPolicy(ErrorPolicy.skip()).bufferManager(BufferManager.of(1000, BackpressureStrategy.BLOCK)).build());
      pipeline.from(Sources.generator("events", GeneratorSpec.builder().events(0).ratePerSecond(200).keys(20)
                  .timeStep(Duration.ofMillis(5)).maxDisorder(Duration.ofMillis(100)).startTime(Instant.now()).build()),
              WatermarkStrategy.<GenericEvent>boundedOutOfOrderness(Duration.ofMillis(200))
                  .withTimestamps(GenericEvent::eventTime))
          .map(DashboardBrowserTest::parse, Op.named("parse"))
          .keyBy(GenericEvent::key)
          .window(TumblingWindow.of(Duration.ofSeconds(1)))
          .aggregate(Aggregates.<GenericEvent>count(), Op.named("per-second-window"))
          .map(r -> r.key() + "=" + r.value(), Op.named("format"))
          .to(Sinks.forEach("counts", line -> windows.incrementAndGet()));
      URI metrics = URI.create("http://127.0.0.1:" + collector.prometheusAddress().orElseThrow().getPort()
          + MetricsCollector.METRICS_PATH);
      try (PipelineHandle handle = pipeline.start()) {
        // When the page is opened while records flow
        browser.get(dashboard.url().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.until(d -> polls(d) >= 1 && !text(d, "in-rate").equals("—") && !text(d, "latency-p99").equals("—"));

        // Then it has loaded: title, health, six charts, sources and sinks in the table
        assertThat(browser.getTitle()).isEqualTo("Streaming Pipeline Metrics");
        assertThat(text(browser, "title")).isEqualTo("Streaming Pipeline Metrics");
        wait.until(d -> text(d, "health-status").equals("UP"));
        assertThat(browser.findElements(By.cssSelector("#charts .chart canvas"))).hasSize(6);
        assertThat(browser.findElements(By.cssSelector("#checks tbody tr"))).hasSize(3);
        assertThat(shown(browser)).containsKeys("source:events:out", "sink:counts:in");
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();

        // And its figures match the Prometheus endpoint read just before and just after a reading
        // that the page shows: counters lie between the two reads, a latency quantile is one of them
        // (quantiles come from a histogram window that rotates every 20 s: a rotation between the two
        // reads is met by trying again, at most twice)
        Scrape after = null;
        boolean quantilesMatched = false;
        for (int attempt = 0; attempt < 3 && !quantilesMatched; attempt++) {
          Scrape before = Scrape.of(metrics);
          long afterBefore = System.currentTimeMillis();
          wait.until(d -> Long.parseLong(d.findElement(By.id("updated-at")).getAttribute("data-at")) > afterBefore);
          Map<String, String> page = shown(browser); // one read of everything shown, within one poll
          double recordsIn = number(page.get("records-in"));
          double recordsOut = number(page.get("records-out"));
          double errors = number(page.get("errors-total"));
          double sourceRow = number(page.get("source:events:out"));
          double sinkRow = number(page.get("sink:counts:in"));
          double[] p99 = millis(page, "latency-p99");
          double[] p50 = millis(page, "latency-p50");
          double inRate = number(page.get("in-rate"));
          after = Scrape.of(metrics);
          assertBetween("records in", recordsIn, before.counter("nip_source_records_total"),
              after.counter("nip_source_records_total"));
          assertBetween("records in (source row)", sourceRow,
              before.counter("nip_source_records_total", "source", "events"),
              after.counter("nip_source_records_total", "source", "events"));
          assertBetween("records out", recordsOut, before.counter("nip_sink_records_total"),
              after.counter("nip_sink_records_total"));
          assertBetween("records out (sink row)", sinkRow, before.counter("nip_sink_records_total", "sink", "counts"),
              after.counter("nip_sink_records_total", "sink", "counts"));
          assertBetween("errors", errors, before.counter("nip_errors_total"), after.counter("nip_errors_total"));
          assertThat(errors).isPositive();
          assertThat(inRate).as("records read per second (the generator makes 200)").isBetween(50.0, 500.0);
          quantilesMatched = oneOf(p99, before, after, 0.99) && oneOf(p50, before, after, 0.5);
        }
        assertThat(quantilesMatched).as("latency p50 and p99 shown match a read of the endpoint in one of 3 tries")
            .isTrue();
        String windowRate = text(browser, "window-rate");
        if (after.families().containsKey("nip_operator_records_out_total")) {
          // the engine's per-operator meters: the window operator's output makes the window output rate;
          // windows fire once a second, in bursts, so a poll between two bursts shows 0: wait for one after a burst
          new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> {
            String w = text(d, "window-rate");
            return !w.equals("—") && number(w) > 0;
          });
          assertThat(shown(browser)).containsKey("operator:per-second-window:out");
        } else {
          // without them the figure says it has no data rather than a made-up one
          assertThat(windowRate).isEqualTo("—");
          assertThat(browser.findElement(By.id("operators-note")).isDisplayed()).isTrue();
        }

        // And the charts move: the series grow and what is drawn changes between two polls
        Map<String, Object> first = chart(browser);
        int polled = polls(browser);
        wait.until(d -> polls(d) >= polled + 2);
        Map<String, Object> second = chart(browser);
        assertThat(((Number) second.get("points")).intValue()).isGreaterThan(((Number) first.get("points")).intValue());
        assertThat(((Number) second.get("lastTime")).doubleValue()).isGreaterThan(((Number) first.get("lastTime")).doubleValue());
        assertThat(((Number) second.get("lastIn")).doubleValue()).isPositive();
        assertThat(second.get("pixels")).isNotEqualTo(first.get("pixels"));

        // And a screenshot is kept for people to look at
        File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "dashboard.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target)).isGreaterThan(10_000);
        handle.stop();
      }
    }
  }

  private static GenericEvent parse(GenericEvent e) {
    if (e.eventId().hashCode() % 250 == 0) {
      throw new IllegalArgumentException("unparseable event " + e.eventId());
    }
    return e;
  }

  /** A Debian program the test needs: found on the PATH, else the test fails naming the package. */
  private static Path executable(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError("'" + name + "' is not installed: the dashboard's browser test needs the Debian packages "
        + "chromium and chromium-driver (./run-tests installs them; or apt-get install --no-install-recommends "
        + "chromium chromium-driver)");
  }

  private static WebDriver browser(Path chromium, Path chromedriver) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1440,1500", "--hide-scrollbars");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private static int polls(WebDriver d) {
    Object n = ((JavascriptExecutor) d).executeScript("return window.nipDashboard ? window.nipDashboard.polls : 0;");
    return ((Number) n).intValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> chart(WebDriver d) {
    return (Map<String, Object>) ((JavascriptExecutor) d).executeScript(
        "var c = window.nipDashboard.charts.throughput.chart; var t = c.data[0]; var s = c.data[1];"
            + "var last = null; for (var i = s.length - 1; i >= 0; i--) { if (s[i] != null) { last = s[i]; break; } }"
            + "return {points: t.length, lastTime: t[t.length - 1], lastIn: last, pixels: c.ctx.canvas.toDataURL()};");
  }

  /**
   * @return the texts of the figures by element id, and of the table's cells as
   *     {@code kind:name:cellClass}, read in one script so that no poll comes in between
   */
  @SuppressWarnings("unchecked")
  private static Map<String, String> shown(WebDriver d) {
    return (Map<String, String>) ((JavascriptExecutor) d).executeScript(
        "var r = {}; document.querySelectorAll('[id]').forEach(function (e) { r[e.id] = e.textContent.trim(); });"
            + "document.querySelectorAll('#operators tbody tr').forEach(function (tr) {"
            + "  tr.querySelectorAll('td[class]').forEach(function (td) {"
            + "    td.className.split(' ').forEach(function (c) {"
            + "      r[tr.getAttribute('data-kind') + ':' + tr.getAttribute('data-name') + ':' + c] = td.textContent.trim();"
            + "    }); }); });"
            + "return r;");
  }

  private static String text(WebDriver d, String id) {
    return d.findElement(By.id(id)).getText().strip();
  }

  private static double number(String shown) {
    assertThat(shown).as("a figure shown on the page").isNotNull();
    String digits = shown.replace(",", "").strip();
    assertThat(digits).as("a number shown on the page").matches("-?[0-9]+(\\.[0-9]+)?");
    return Double.parseDouble(digits);
  }

  private static void assertBetween(String what, double shown, double before, double after) {
    assertThat(shown).as("%s shown (scrape before %s, after %s)", what, before, after).isBetween(before, after);
  }

  /**
   * @param shown a latency shown (ms) and how far rounding for display may move it (ms)
   * @return whether it is the quantile of one of the two reads
   */
  private static boolean oneOf(double[] shown, Scrape before, Scrape after, double quantile) {
    return Math.abs(shown[0] - before.quantileMax("nip_sink_latency_event_time_seconds", quantile) * 1000) <= shown[1]
        || Math.abs(shown[0] - after.quantileMax("nip_sink_latency_event_time_seconds", quantile) * 1000) <= shown[1];
  }

  /** @return a duration shown in the unit beside it ({@code <id>-unit}), in ms, and half its last digit in ms */
  private static double[] millis(Map<String, String> page, String id) {
    String shown = page.get(id);
    double value = number(shown);
    double unit = switch (page.get(id + "-unit")) {
      case "ms" -> 1;
      case "s" -> 1_000;
      case "min" -> 60_000;
      case "h" -> 3_600_000;
      case "d" -> 86_400_000;
      default -> throw new AssertionError("unknown unit beside " + id + ": " + page.get(id + "-unit"));
    };
    int dot = shown.indexOf('.');
    int decimals = dot < 0 ? 0 : shown.length() - dot - 1;
    return new double[] {value * unit, 0.5 * Math.pow(10, -decimals) * unit + 1e-6};
  }
}
