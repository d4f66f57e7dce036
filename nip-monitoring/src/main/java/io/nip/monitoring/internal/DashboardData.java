package io.nip.monitoring.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.monitoring.internal.PrometheusText.Sample;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What the dashboard shows, computed from successive readings of a pipeline's Prometheus samples:
 * the latest figures, a bounded history of them for the charts, and a per-operator table; served as
 * one JSON document that the page polls.
 *
 * <p>Why from Prometheus samples and not from the meters: a dashboard of a pipeline in another
 * process has only its scrape endpoint, and one code path for both cases means the page shows what
 * {@code /metrics} says. Counters become rates over the interval between two readings (a counter
 * that went down, e.g. a restarted pipeline, counts from zero); gauges and quantiles are shown as
 * read (the largest over partitions, buffers or tasks, as the health checks read them). A figure
 * nothing reports is null (the page shows a dash; the charts a gap).
 *
 * <p>Threading: {@link #record} is called by the dashboard's one sampling thread, {@link #json} by
 * its HTTP thread; both hold this object's lock, and the JSON is built once per reading.
 */
public final class DashboardData {
  /** Prefix of the per-operator meters ({@code nip.operator.*}) in Prometheus names. */
  public static final String OPERATOR_PREFIX = "nip_operator_";
  private static final String SOURCE_RECORDS = "nip_source_records_total";
  private static final String SINK_RECORDS = "nip_sink_records_total";
  private static final String ERRORS = "nip_errors_total";
  private static final String LATE_EVENTS = "nip_window_late_events_total";
  private static final String EVENT_TIME_LATENCY = "nip_sink_latency_event_time_seconds";
  private static final String PROCESSING_LATENCY = "nip_sink_latency_processing_seconds";
  private static final Set<String> CONSUMER_LAG = Set.of("nip_kafka_consumer_lag", "nip_kafka_consumer_lag_records");
  private static final Set<String> BUFFER_SIZE = Set.of("nip_buffer_size", "nip_buffer_size_records");
  private static final Set<String> BUFFER_CAPACITY = Set.of("nip_buffer_capacity", "nip_buffer_capacity_records");
  private static final Set<String> BUFFER_DROPPED = Set.of("nip_buffer_dropped_total", "nip_buffer_dropped_records_total");
  private static final Set<String> WATERMARK_LAG = Set.of("nip_watermark_lag", "nip_watermark_lag_milliseconds");
  /** The chart series, in the order of each history point. */
  static final List<String> SERIES = List.of("inPerSecond", "outPerSecond", "latencyP50Ms", "latencyP99Ms",
      "errorRate", "consumerLag", "bufferUtilization", "windowOutPerSecond");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String title;
  private final long refreshMillis;
  private final int historySize;
  private final Predicate<String> windowOperator;
  private final String source;
  private final Deque<double[]> history = new ArrayDeque<>();
  private Totals previous;
  private String json;

  /**
   * @param title the page's title
   * @param refreshMillis how often readings are taken (and the page polls)
   * @param historySize how many readings the charts keep
   * @param windowOperator which operators' output is the window output rate, by operator name
   * @param source where the figures come from, shown on the page (e.g. the metrics URL)
   */
  public DashboardData(String title, long refreshMillis, int historySize, Predicate<String> windowOperator,
      String source) {
    this.title = Objects.requireNonNull(title, "title");
    this.refreshMillis = refreshMillis;
    this.historySize = historySize;
    this.windowOperator = Objects.requireNonNull(windowOperator, "windowOperator");
    this.source = source;
    this.json = document(System.currentTimeMillis(), null, null, null, "no reading yet").toString();
  }

  /**
   * Takes a reading.
   *
   * @param atMillis when the samples were read (epoch milliseconds)
   * @param samples the pipeline's samples
   * @param health the health report as {@code /health} serves it, or null without a monitor
   */
  public synchronized void record(long atMillis, List<Sample> samples, JsonNode health) {
    Totals now = Totals.of(samples, windowOperator);
    now.atMillis = atMillis;
    Totals before = previous != null && previous.atMillis < atMillis ? previous : null;
    double seconds = before == null ? Double.NaN : (atMillis - before.atMillis) / 1000.0;
    ObjectNode current = JSON.createObjectNode();
    double inRate = rate(before == null ? Double.NaN : before.recordsIn, now.recordsIn, seconds);
    double outRate = rate(before == null ? Double.NaN : before.recordsOut, now.recordsOut, seconds);
    double windowRate = Double.isNaN(now.windowsOut) ? Double.NaN
        : rate(before == null ? Double.NaN : before.windowsOut, now.windowsOut, seconds);
    double errorRate = errorRate(before, now);
    put(current, "recordsIn", now.recordsIn);
    put(current, "recordsOut", now.recordsOut);
    put(current, "inPerSecond", inRate);
    put(current, "outPerSecond", outRate);
    put(current, "latencyP50Ms", now.latencyP50Ms);
    put(current, "latencyP99Ms", now.latencyP99Ms);
    put(current, "latencyP999Ms", now.latencyP999Ms);
    put(current, "processingP50Ms", now.processingP50Ms);
    put(current, "processingP99Ms", now.processingP99Ms);
    put(current, "errors", now.errors);
    put(current, "errorRate", errorRate);
    put(current, "consumerLag", now.consumerLag);
    put(current, "bufferUtilization", now.bufferUtilization);
    put(current, "dropped", now.dropped);
    put(current, "watermarkLagMs", now.watermarkLagMs);
    put(current, "lateEvents", now.lateEvents);
    put(current, "windowsOut", now.windowsOut);
    put(current, "windowOutPerSecond", windowRate);
    double[] point = {atMillis / 1000.0, inRate, outRate, now.latencyP50Ms, now.latencyP99Ms, errorRate,
        now.consumerLag, now.bufferUtilization, windowRate};
    history.addLast(point);
    while (history.size() > historySize) {
      history.removeFirst();
    }
    ArrayNode operators = JSON.createArrayNode();
    now.rows.forEach((key, row) -> operators.add(row.json(before == null ? null : before.rows.get(key), seconds)));
    previous = now;
    ObjectNode doc = document(atMillis, current, operators, health, null);
    doc.put("operatorMeters", now.operatorMeters);
    json = doc.toString();
  }

  /**
   * Notes a reading that failed: the page shows the error beside the last figures.
   *
   * @param atMillis when
   * @param error what failed, e.g. {@code "GET http://127.0.0.1:9404/metrics: connection refused"}
   */
  public synchronized void recordFailure(long atMillis, String error) {
    try {
      ObjectNode doc = (ObjectNode) JSON.readTree(json);
      doc.put("error", error).put("errorAt", atMillis);
      json = doc.toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the dashboard's own JSON did not parse", e);
    }
  }

  /** @return the JSON document the page polls */
  public synchronized String json() {
    return json;
  }

  private ObjectNode document(long atMillis, ObjectNode current, ArrayNode operators, JsonNode health, String error) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("title", title).put("refreshMillis", refreshMillis).put("at", atMillis);
    if (source != null) {
      doc.put("source", source);
    }
    doc.set("current", current);
    doc.set("health", health);
    doc.set("operators", operators == null ? JSON.createArrayNode() : operators);
    ObjectNode h = doc.putObject("history");
    ArrayNode time = h.putArray("time");
    for (double[] p : history) {
      time.add(p[0]);
    }
    for (int s = 0; s < SERIES.size(); s++) {
      ArrayNode a = h.putArray(SERIES.get(s));
      for (double[] p : history) {
        addValue(a, p[s + 1]);
      }
    }
    if (error != null) {
      doc.put("error", error);
    } else {
      doc.putNull("error");
    }
    return doc;
  }

  private static double errorRate(Totals before, Totals now) {
    if (before == null) {
      return Double.NaN;
    }
    double records = increase(before.recordsIn, now.recordsIn);
    double errors = increase(before.errors, now.errors);
    if (!(records > 0)) {
      return errors > 0 ? 1.0 : Double.NaN;
    }
    return Math.min(1.0, errors / records);
  }

  static double rate(double before, double now, double seconds) {
    if (Double.isNaN(before) || !(seconds > 0)) {
      return Double.NaN;
    }
    return increase(before, now) / seconds;
  }

  /** @return how much a counter grew; one that went down was reset and counts from zero */
  private static double increase(double before, double now) {
    if (Double.isNaN(now)) {
      return Double.NaN;
    }
    if (Double.isNaN(before)) {
      return now;
    }
    return now >= before ? now - before : now;
  }

  static void put(ObjectNode node, String field, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }

  private static void addValue(ArrayNode a, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      a.addNull();
    } else {
      a.add(value);
    }
  }

  /** The figures of one reading. */
  private static final class Totals {
    long atMillis;
    double recordsIn = Double.NaN;
    double recordsOut = Double.NaN;
    double errors = Double.NaN;
    double lateEvents = Double.NaN;
    double dropped = Double.NaN;
    double windowsOut = Double.NaN;
    double latencyP50Ms = Double.NaN;
    double latencyP99Ms = Double.NaN;
    double latencyP999Ms = Double.NaN;
    double processingP50Ms = Double.NaN;
    double processingP99Ms = Double.NaN;
    double consumerLag = Double.NaN;
    double bufferUtilization = Double.NaN;
    double watermarkLagMs = Double.NaN;
    /** Whether any {@code nip.operator.*} meter was read. */
    boolean operatorMeters;
    /** Sources, operators, sinks, by kind then pipeline then name. */
    final Map<String, Row> rows = new TreeMap<>();

    static Totals of(List<Sample> samples, Predicate<String> windowOperator) {
      Totals t = new Totals();
      Map<List<String>, double[]> buffers = new HashMap<>();
      for (Sample s : samples) {
        String n = s.name();
        double v = s.value();
        if (n.equals(SOURCE_RECORDS)) {
          t.recordsIn = add(t.recordsIn, v);
          t.row("1 source", s, "source").add("out", v);
        } else if (n.equals(SINK_RECORDS)) {
          t.recordsOut = add(t.recordsOut, v);
          t.row("3 sink", s, "sink").add("in", v);
        } else if (n.equals(ERRORS)) {
          t.errors = add(t.errors, v);
          t.row("2 operator", s, "operator").add("errors", v);
        } else if (n.equals(LATE_EVENTS)) {
          t.lateEvents = add(t.lateEvents, v);
          t.row("2 operator", s, "operator").add("late", v);
        } else if (BUFFER_DROPPED.contains(n)) {
          t.dropped = add(t.dropped, v);
        } else if (n.equals(EVENT_TIME_LATENCY) && s.label("quantile") != null) {
          double ms = v * 1000;
          switch (s.label("quantile")) {
            case "0.5" -> t.latencyP50Ms = max(t.latencyP50Ms, ms);
            case "0.99" -> t.latencyP99Ms = max(t.latencyP99Ms, ms);
            case "0.999" -> t.latencyP999Ms = max(t.latencyP999Ms, ms);
            default -> { }
          }
          if ("0.99".equals(s.label("quantile"))) {
            t.row("3 sink", s, "sink").max("latencyP99Ms", ms);
          }
        } else if (n.equals(PROCESSING_LATENCY) && s.label("quantile") != null) {
          switch (s.label("quantile")) {
            case "0.5" -> t.processingP50Ms = max(t.processingP50Ms, v * 1000);
            case "0.99" -> t.processingP99Ms = max(t.processingP99Ms, v * 1000);
            default -> { }
          }
        } else if (CONSUMER_LAG.contains(n)) {
          t.consumerLag = max(t.consumerLag, v);
        } else if (WATERMARK_LAG.contains(n)) {
          t.watermarkLagMs = max(t.watermarkLagMs, v);
        } else if (BUFFER_SIZE.contains(n) || BUFFER_CAPACITY.contains(n)) {
          double[] sc = buffers.computeIfAbsent(List.copyOf(new TreeMap<>(s.labels()).entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue()).toList()), k -> new double[] {Double.NaN, Double.NaN});
          sc[BUFFER_SIZE.contains(n) ? 0 : 1] = v;
        } else if (n.startsWith(OPERATOR_PREFIX) && s.label("operator") != null) {
          t.operatorSample(s, n.substring(OPERATOR_PREFIX.length()), v, windowOperator);
        }
      }
      if (Double.isNaN(t.errors) && !Double.isNaN(t.recordsIn)) {
        t.errors = 0; // the error counters appear with the first error
      }
      for (double[] sc : buffers.values()) {
        if (sc[1] > 0 && !Double.isNaN(sc[0])) {
          t.bufferUtilization = max(t.bufferUtilization, sc[0] / sc[1]);
        }
      }
      return t;
    }

    private void operatorSample(Sample s, String metric, double v, Predicate<String> windowOperator) {
      operatorMeters = true;
      Row row = row("2 operator", s, "operator");
      String quantile = s.label("quantile");
      if (metric.equals("records_in_total")) {
        row.add("in", v);
      } else if (metric.equals("records_out_total")) {
        row.add("out", v);
        if (windowOperator.test(s.label("operator"))) {
          windowsOut = add(windowsOut, v);
        }
      } else if (metric.equals("processing_time_seconds_count")) {
        row.add("processedCount", v);
      } else if (metric.equals("processing_time_seconds_sum")) {
        row.add("processedSeconds", v);
      } else if (metric.equals("processing_time_seconds_max")) {
        row.max("processingMaxMs", v * 1000);
      } else if (metric.equals("processing_time_seconds") && quantile != null) {
        row.max("processingP" + quantile.substring(2) + "Ms", v * 1000);
      } else if (quantile == null) {
        row.add(metric, v); // a meter this page does not know: summed over tasks, shown as read
      }
    }

    private Row row(String kind, Sample s, String nameLabel) {
      String name = s.label(nameLabel);
      String pipeline = s.label("pipeline");
      String key = kind + "\u0000" + (pipeline == null ? "" : pipeline) + "\u0000" + (name == null ? "?" : name);
      return rows.computeIfAbsent(key, k -> new Row(kind.substring(2), pipeline, name == null ? "?" : name));
    }
  }

  /** One line of the per-operator table: its figures by field name. */
  private static final class Row {
    private static final Set<String> COUNTERS = Set.of("in", "out", "errors", "late");
    final String kind;
    final String pipeline;
    final String name;
    final Map<String, Double> values = new TreeMap<>();

    Row(String kind, String pipeline, String name) {
      this.kind = kind;
      this.pipeline = pipeline;
      this.name = name;
    }

    void add(String field, double v) {
      values.merge(field, v, DashboardData::add);
    }

    void max(String field, double v) {
      values.merge(field, v, DashboardData::max);
    }

    double get(String field) {
      return values.getOrDefault(field, Double.NaN);
    }

    ObjectNode json(Row before, double seconds) {
      ObjectNode o = JSON.createObjectNode();
      o.put("kind", kind).put("name", name);
      if (pipeline != null) {
        o.put("pipeline", pipeline);
      }
      ObjectNode extra = JSON.createObjectNode();
      values.forEach((field, v) -> {
        if (COUNTERS.contains(field) || field.startsWith("processing") || field.equals("latencyP99Ms")) {
          put(o, field, v);
        } else if (!field.equals("processedCount") && !field.equals("processedSeconds")) {
          put(extra, field, v);
        }
      });
      if (before != null) {
        if (values.containsKey("in")) {
          put(o, "inPerSecond", rate(before.get("in"), get("in"), seconds));
        }
        if (values.containsKey("out")) {
          put(o, "outPerSecond", rate(before.get("out"), get("out"), seconds));
        }
        double count = get("processedCount") - before.get("processedCount");
        if (count > 0) {
          put(o, "processingMeanMs", (get("processedSeconds") - before.get("processedSeconds")) / count * 1000);
        }
      }
      o.set("other", extra);
      return o;
    }
  }

  private static double add(double sum, double v) {
    if (Double.isNaN(v)) {
      return sum;
    }
    return Double.isNaN(sum) ? v : sum + v;
  }

  private static double max(double a, double b) {
    if (Double.isNaN(b)) {
      return a;
    }
    return Double.isNaN(a) ? b : Math.max(a, b);
  }
}
