package io.nip.monitoring;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.Summary;

/** One read of a Prometheus scrape endpoint, parsed by a Prometheus text-format parser (Hawkular's). */
final class Scrape {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Map<String, MetricFamily> families = new HashMap<>();

  private Scrape(String text) throws IOException {
    TextPrometheusMetricDataParser parser =
        new TextPrometheusMetricDataParser(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
      families.put(f.getName(), f);
    }
  }

  /**
   * @param url a {@code /metrics} URL
   * @return its families now
   */
  static Scrape of(URI url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + r.statusCode());
    }
    return new Scrape(r.body());
  }

  static Scrape parse(String text) throws IOException {
    return new Scrape(text);
  }

  /** @return the sum of a counter family's series, 0 when absent */
  double counter(String name) {
    MetricFamily f = families.get(name);
    return f == null ? 0 : f.getMetrics().stream().mapToDouble(m -> ((Counter) m).getValue()).sum();
  }

  /** @return the sum of a counter family's series with a label value */
  double counter(String name, String label, String value) {
    MetricFamily f = families.get(name);
    return f == null ? 0 : f.getMetrics().stream().filter(m -> value.equals(m.getLabels().get(label)))
        .mapToDouble(m -> ((Counter) m).getValue()).sum();
  }

  /** @return the largest value of a gauge family, NaN when absent */
  double gaugeMax(String name) {
    MetricFamily f = families.get(name);
    return f == null ? Double.NaN : f.getMetrics().stream().mapToDouble(m -> ((Gauge) m).getValue()).max().orElse(Double.NaN);
  }

  /** @return the largest value of a summary's quantile over its series, NaN when absent */
  double quantileMax(String name, double quantile) {
    MetricFamily f = families.get(name);
    if (f == null) {
      return Double.NaN;
    }
    return f.getMetrics().stream().flatMap(m -> ((Summary) m).getQuantiles().stream())
        .filter(q -> q.getQuantile() == quantile).mapToDouble(q -> q.getValue()).max().orElse(Double.NaN);
  }

  /** @return the families by name */
  Map<String, MetricFamily> families() {
    return families;
  }
}
