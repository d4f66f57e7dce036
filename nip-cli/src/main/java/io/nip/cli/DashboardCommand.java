package io.nip.cli;

import io.nip.errors.ConfigurationException;
import io.nip.monitoring.Dashboard;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip dashboard --metrics-url URL}: the live dashboard of a pipeline running in another
 * process, read from its Prometheus scrape endpoint (and its {@code /health} with
 * {@code --health-url}), served on 127.0.0.1 until Ctrl-C.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {
        "Serve the live dashboard of a running pipeline: throughput, latency p50/p99, error rate, consumer lag,",
        "buffer utilization, window output rate, health and a table of sources, operators and sinks, with charts.",
        "The figures are read from the pipeline's Prometheus endpoint (--metrics-url) every --refresh; the health",
        "from its /health endpoint (--health-url). Serves on 127.0.0.1 (--bind-address to change) until Ctrl-C;",
        "the dashboard's URL is printed. A metrics URL that does not answer is shown on the page as an error."})
public final class DashboardCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--metrics-url", required = true, paramLabel = "URL",
      description = "the pipeline's Prometheus endpoint, e.g. http://127.0.0.1:9404/metrics")
  String metricsUrl;

  @Option(names = "--health-url", paramLabel = "URL",
      description = "the pipeline's health endpoint (a PipelineMonitor's /health), e.g. http://127.0.0.1:8081/health")
  String healthUrl;

  @Option(names = "--title", paramLabel = "TEXT", defaultValue = "NIP pipeline dashboard",
      description = "the page's title (default: ${DEFAULT-VALUE})")
  String title;

  @Option(names = "--port", paramLabel = "P", defaultValue = "0",
      description = "the dashboard's port (default: any free port)")
  int port;

  @Option(names = "--bind-address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "the address the dashboard listens on (default: ${DEFAULT-VALUE}, this machine only)")
  String bindAddress;

  @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "1s",
      description = "how often the figures are read and the page updates, e.g. 1s, 500ms (default: ${DEFAULT-VALUE})")
  String refresh;

  @Option(names = "--window-operator", paramLabel = "REGEX", defaultValue = "(?i).*window.*",
      description = "operators (by name) whose output makes the window output rate (default: names containing "
          + "'window')")
  String windowOperator;

  @Override
  public Integer call() {
    Dashboard.Builder b = Dashboard.builder(title);
    try {
      Pattern windows = Pattern.compile(windowOperator);
      b.metricsUrl(metricsUrl).port(port).bindAddress(bindAddress).refreshInterval(duration(refresh))
          .windowOperators(name -> windows.matcher(name).matches());
      if (healthUrl != null) {
        b.healthUrl(healthUrl);
      }
    } catch (ConfigurationException e) {
      throw new NipCommand.UsageException(e.getMessage());
    } catch (PatternSyntaxException e) {
      throw new NipCommand.UsageException("--window-operator " + windowOperator + ": not a regular expression");
    }
    PrintWriter err = spec.commandLine().getErr();
    try (Dashboard dashboard = b.start()) {
      err.println("dashboard   " + dashboard.url());
      err.println("reading     " + metricsUrl + (healthUrl == null ? "" : " and " + healthUrl));
      err.println("until Ctrl-C");
      err.flush();
      UntilStopped.await("serving the dashboard");
    }
    return 0;
  }

  private static Duration duration(String text) {
    try {
      return AnalyticsCommand.duration(text);
    } catch (NipCommand.UsageException e) {
      throw new NipCommand.UsageException("--refresh " + text + ": not a duration (e.g. 500ms, 1s or PT1S)");
    }
  }
}
