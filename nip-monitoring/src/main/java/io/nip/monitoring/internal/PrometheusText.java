package io.nip.monitoring.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of the Prometheus text exposition format (version 0.0.4), the subset that
 * Micrometer's Prometheus registry and most exporters write, for the dashboard of a pipeline that
 * runs elsewhere. No maintained Java parser of that format is published (the Prometheus Java client
 * writes it only), so this one reads just what the dashboard needs:
 *
 * <ul>
 *   <li>a sample line {@code name{label="value",...} value [timestamp]}, labels optional, the value a
 *       Go float ({@code 1.5e3}, {@code NaN}, {@code +Inf}, {@code -Inf});
 *   <li>label values with the escapes {@code \\}, {@code \"} and {@code \n}; a trailing comma in the
 *       label set;
 *   <li>blank lines and comments ({@code # HELP}, {@code # TYPE}, others) are skipped: the
 *       dashboard tells counters, gauges and summaries apart by their names ({@code _total},
 *       {@code _count}, {@code _sum}, {@code quantile}), as Micrometer writes them.
 * </ul>
 *
 * <p>OpenMetrics exemplars ({@code # {...}} after the value) are ignored. A line outside this
 * grammar is an error that names its line number; nothing is skipped silently. Stateless and
 * thread-safe.
 */
public final class PrometheusText {
  /**
   * One sample.
   *
   * @param name the metric name, e.g. {@code nip_source_records_total}
   * @param labels the labels in the order written (unmodifiable)
   * @param value the value
   */
  public record Sample(String name, Map<String, String> labels, double value) {
    /**
     * @param label a label name
     * @return its value, or null when the sample has no such label
     */
    public String label(String label) {
      return labels.get(label);
    }
  }

  private PrometheusText() {}

  /**
   * @param text the exposition text
   * @return its samples, in order
   * @throws IllegalArgumentException when a line is outside the format; the message names the line
   */
  public static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      try {
        samples.add(sample(line));
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " is not in the Prometheus text format ("
            + e.getMessage() + "): " + abbreviate(line), e);
      }
    }
    return samples;
  }

  private static Sample sample(String line) {
    int p = 0;
    while (p < line.length() && nameChar(line.charAt(p), p == 0)) {
      p++;
    }
    if (p == 0) {
      throw new IllegalArgumentException("no metric name");
    }
    String name = line.substring(0, p);
    Map<String, String> labels = new LinkedHashMap<>();
    if (p < line.length() && line.charAt(p) == '{') {
      p = labels(line, p + 1, labels);
    }
    String rest = line.substring(p).strip();
    int exemplar = rest.indexOf(" # ");
    if (exemplar >= 0) {
      rest = rest.substring(0, exemplar).strip();
    }
    String[] parts = rest.split("[ \t]+");
    if (rest.isEmpty() || parts.length > 2) {
      throw new IllegalArgumentException("expected a value and an optional timestamp after the name");
    }
    return new Sample(name, Collections.unmodifiableMap(labels), value(parts[0]));
  }

  /** @return the position after the closing brace */
  private static int labels(String line, int p, Map<String, String> labels) {
    while (true) {
      p = skipSpaces(line, p);
      if (line.charAt(p) == '}') {
        return p + 1;
      }
      int start = p;
      while (nameChar(line.charAt(p), p == start)) {
        p++;
      }
      if (p == start) {
        throw new IllegalArgumentException("expected a label name at column " + (p + 1));
      }
      String label = line.substring(start, p);
      p = skipSpaces(line, p);
      expect(line, p++, '=');
      p = skipSpaces(line, p);
      expect(line, p++, '"');
      StringBuilder value = new StringBuilder();
      for (char c = line.charAt(p); c != '"'; c = line.charAt(p)) {
        if (c == '\\') {
          char e = line.charAt(++p);
          value.append(switch (e) {
            case 'n' -> '\n';
            case '\\', '"' -> e;
            default -> throw new IllegalArgumentException("unknown escape \\" + e + " at column " + (p + 1));
          });
        } else {
          value.append(c);
        }
        p++;
      }
      labels.put(label, value.toString());
      p = skipSpaces(line, p + 1);
      if (line.charAt(p) == ',') {
        p++;
      } else if (line.charAt(p) != '}') {
        throw new IllegalArgumentException("expected ',' or '}' at column " + (p + 1));
      }
    }
  }

  private static void expect(String line, int p, char c) {
    if (line.charAt(p) != c) {
      throw new IllegalArgumentException("expected '" + c + "' at column " + (p + 1));
    }
  }

  private static int skipSpaces(String line, int p) {
    while (line.charAt(p) == ' ' || line.charAt(p) == '\t') {
      p++;
    }
    return p;
  }

  private static boolean nameChar(char c, boolean first) {
    return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
  }

  private static double value(String text) {
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text + "' is not a number");
        }
      }
    };
  }

  private static String abbreviate(String line) {
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }
}
