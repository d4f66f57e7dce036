package io.nip.bench.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code nip bench analytics} and {@code nip bench sessions}: exercise 1 (or 2) on the same data and
 * broker, run one after another by the
 * limit (plain consumer + Jackson), NIP, and Kafka Streams with 1 and 2 stream threads. A warm-up
 * round over a slice of the events runs every contender once first and is not reported; then
 * {@code repeat} rounds run the contenders in alternation (every second round in reverse order),
 * and the medians are reported.
 */
final class AnalyticsBench {
  static final String INPUT = "user-events";
  static final String WARMUP_INPUT = "user-events-warmup";

  /** The settings of a run. */
  record Settings(long events, int repeat, long warmupEvents, int nipThreads, boolean json, Set<String> contenders,
      BenchState state, boolean exactlyOnce, java.time.Duration commitInterval, AnalyticsRuns.Exercise exercise) {
    Settings(long events, int repeat, long warmupEvents, int nipThreads, boolean json, Set<String> contenders,
        BenchState state, boolean exactlyOnce, java.time.Duration commitInterval) {
      this(events, repeat, warmupEvents, nipThreads, json, contenders, state, exactlyOnce, commitInterval,
          AnalyticsRuns.Exercise.ANALYTICS);
    }

    Settings(long events, int repeat, long warmupEvents, int nipThreads, boolean json, Set<String> contenders,
        BenchState state) {
      this(events, repeat, warmupEvents, nipThreads, json, contenders, state, false, null);
    }

    boolean sessions() {
      return exercise == AnalyticsRuns.Exercise.SESSIONS;
    }
  }

  /** The contenders of {@code nip bench sessions}. */
  static final List<String> SESSION_CONTENDERS = List.of("limit", "nip", "kafka-streams-1t", "kafka-streams-2t");

  /** The contenders, in the order an odd round runs them (an even round runs them in reverse). */
  static final List<String> CONTENDERS = List.of("limit", "nip", "nip-partitioned", "nip-backpressure",
      "nip-bare", "nip-monitored", "nip-schema", "kafka-streams-1t", "kafka-streams-2t");
  /**
   * What runs without {@code --contenders}: all but {@code nip-backpressure}, {@code nip-bare},
   * {@code nip-monitored} and {@code nip-schema} ({@code --validate-schema}), which are asked for by name.
   */
  static final List<String> DEFAULT_CONTENDERS = List.of("limit", "nip", "nip-partitioned", "kafka-streams-1t",
      "kafka-streams-2t");

  private AnalyticsBench() {}

  static Map<String, Object> run(Settings s, PrintStream log) throws IOException {
    log.printf("starting the broker in its own JVM ...%n");
    try (BrokerProcess broker = BrokerProcess.start(); Topics topics = new Topics(broker.bootstrapServers())) {
      String bootstrap = broker.bootstrapServers();
      log.printf("broker pid %d at %s%n", broker.pid(), bootstrap);
      topics.create(INPUT, 3);
      topics.create(WARMUP_INPUT, 3);
      int users = s.sessions() ? EventFeed.SESSION_USERS : EventFeed.USERS;
      EventFeed.Written w = EventFeed.write(bootstrap, INPUT, s.events(), 42, users);
      log.printf(Locale.ROOT, "wrote %,d events (%.0f bytes each on average, %,d users, %,d from bots, %,d user "
          + "windows, %,d sessions) in %.1f s%n", w.events(), w.averageBytes(), users, w.bots(), w.userWindows(),
          w.sessions(), w.elapsed().toMillis() / 1000.0);
      EventFeed.write(bootstrap, WARMUP_INPUT, s.warmupEvents(), 7, users);
      AnalyticsRuns runs = new AnalyticsRuns(bootstrap, topics).commitInterval(s.commitInterval())
          .exercise(s.exercise());

      log.printf(Locale.ROOT, "warm-up on %,d events (not reported) ...%n", s.warmupEvents());
      for (AnalyticsRuns.Run r : round(runs, WARMUP_INPUT, s.warmupEvents(), s, false)) {
        log.println("  warm-up " + describe(r));
      }
      List<List<AnalyticsRuns.Run>> rounds = new ArrayList<>();
      for (int i = 1; i <= s.repeat(); i++) {
        boolean reversed = i % 2 == 0;
        log.printf("round %d of %d%s%n", i, s.repeat(), reversed ? " (contenders in reverse order)" : "");
        List<AnalyticsRuns.Run> round = round(runs, INPUT, s.events(), s, reversed);
        round.forEach(r -> log.println("  " + describe(r)));
        double ratio = nipOverKafkaStreams(round);
        if (!Double.isNaN(ratio)) {
          log.printf(Locale.ROOT, "  NIP / Kafka Streams (best of this round) = %.2fx%n", ratio);
        }
        rounds.add(round);
      }
      return summary(s, w, rounds);
    }
  }

  /** A contender's run, started when called. */
  private interface Contender {
    AnalyticsRuns.Run run() throws IOException;
  }

  /**
   * Runs every chosen contender once over {@code input}: in their listed order when
   * {@code reversed} is false, else in reverse (rounds alternate, so that no contender always runs
   * first after the broker's idle time or last after the others' garbage).
   *
   * @return the runs in the listed order, whichever order they ran in
   */
  private static List<AnalyticsRuns.Run> round(AnalyticsRuns runs, String input, long events, Settings s,
      boolean reversed) throws IOException {
    List<Contender> contenders = new ArrayList<>();
    if (s.contenders().contains("limit")) {
      contenders.add(() -> runs.limit(input, events));
    }
    if (s.contenders().contains("nip")) {
      contenders.add(() -> runs.nip(input, events, s.nipThreads(), AnalyticsRuns.Variant.KEY_BY, s.state(),
          s.exactlyOnce()));
    }
    if (s.contenders().contains("nip-partitioned")) {
      contenders.add(() -> runs.nip(input, events, s.nipThreads(), AnalyticsRuns.Variant.PARTITIONED, s.state(),
          s.exactlyOnce()));
    }
    if (s.contenders().contains("nip-backpressure")) {
      contenders.add(() -> runs.nip(input, events, s.nipThreads(), AnalyticsRuns.Variant.BACKPRESSURE, s.state(),
          s.exactlyOnce()));
    }
    for (AnalyticsRuns.Variant v : List.of(AnalyticsRuns.Variant.BARE, AnalyticsRuns.Variant.MONITORED,
        AnalyticsRuns.Variant.SCHEMA)) {
      if (s.contenders().contains(v.contender)) {
        contenders.add(() -> runs.nip(input, events, s.nipThreads(), v, s.state(), s.exactlyOnce()));
      }
    }
    if (s.contenders().contains("kafka-streams-1t")) {
      contenders.add(() -> runs.kafkaStreams(input, events, 1, s.state(), s.exactlyOnce()));
    }
    if (s.contenders().contains("kafka-streams-2t")) {
      contenders.add(() -> runs.kafkaStreams(input, events, 2, s.state(), s.exactlyOnce()));
    }
    AnalyticsRuns.Run[] out = new AnalyticsRuns.Run[contenders.size()];
    for (int k = 0; k < out.length; k++) {
      int at = reversed ? out.length - 1 - k : k;
      out[at] = contenders.get(at).run();
    }
    return List.of(out);
  }

  /** @return nip / the better Kafka Streams run of one round, or NaN when either side did not run */
  private static double nipOverKafkaStreams(List<AnalyticsRuns.Run> round) {
    double nip = Double.NaN;
    double ks = Double.NaN;
    for (AnalyticsRuns.Run r : round) {
      if (r.name().equals("nip")) {
        nip = r.recordsPerSecond();
      } else if (r.name().startsWith("kafka-streams")) {
        ks = Double.isNaN(ks) ? r.recordsPerSecond() : Math.max(ks, r.recordsPerSecond());
      }
    }
    return nip / ks;
  }

  private static String describe(AnalyticsRuns.Run r) {
    return String.format(Locale.ROOT, "%-17s %,12.0f records/s  %6.2f s  cpu %5.2f us/record  output %,d%s",
        r.name(), r.recordsPerSecond(), r.elapsed().toMillis() / 1000.0, r.cpuMicrosPerRecord(), r.outputRecords(),
        r.name().startsWith("nip") ? String.format(Locale.ROOT, "  late events %,d  first input parsed after %s,"
            + " last %s before the end", r.lateEvents(), seconds(r.head()), seconds(r.tail())) : "");
  }

  /** @return "1.23 s", or "n/a" when the 5 ms sampling did not catch the moment */
  private static String seconds(java.time.Duration d) {
    return d.isZero() ? "n/a" : String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
  }

  private static Map<String, Object> summary(Settings s, EventFeed.Written w, List<List<AnalyticsRuns.Run>> rounds) {
    double limit = median(rounds, "limit", AnalyticsRuns.Run::recordsPerSecond);
    double nip = median(rounds, "nip", AnalyticsRuns.Run::recordsPerSecond);
    double nipPartitioned = median(rounds, "nip-partitioned", AnalyticsRuns.Run::recordsPerSecond);
    double nipBackpressure = median(rounds, "nip-backpressure", AnalyticsRuns.Run::recordsPerSecond);
    double nipBare = median(rounds, "nip-bare", AnalyticsRuns.Run::recordsPerSecond);
    double nipMonitored = median(rounds, "nip-monitored", AnalyticsRuns.Run::recordsPerSecond);
    double nipSchema = median(rounds, "nip-schema", AnalyticsRuns.Run::recordsPerSecond);
    double ks1 = median(rounds, "kafka-streams-1t", AnalyticsRuns.Run::recordsPerSecond);
    double ks2 = median(rounds, "kafka-streams-2t", AnalyticsRuns.Run::recordsPerSecond);
    double ks = Double.isNaN(ks1) ? ks2 : Double.isNaN(ks2) ? ks1 : Math.max(ks1, ks2);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("events", s.events());
    m.put("average_event_bytes", Math.round(w.averageBytes()));
    m.put("bot_events", w.bots());
    m.put("rounds", s.repeat());
    m.put("warmup_events", s.warmupEvents());
    m.put("nip_threads", s.nipThreads());
    m.put("state", s.state().label());
    m.put("guarantee", s.exactlyOnce() ? "exactly-once" : "at-least-once");
    m.put("commit_interval_ms", s.commitInterval() == null ? "default" : s.commitInterval().toMillis());
    putRate(m, "limit_eps", limit);
    putRate(m, "nip_eps", nip);
    putRate(m, "nip_partitioned_eps", nipPartitioned);
    putRate(m, "nip_backpressure_eps", nipBackpressure);
    putRate(m, "nip_bare_eps", nipBare);
    putRate(m, "nip_monitored_eps", nipMonitored);
    putRate(m, "nip_schema_eps", nipSchema);
    putRate(m, "kafka_streams_1_thread_eps", ks1);
    putRate(m, "kafka_streams_2_threads_eps", ks2);
    putRate(m, "kafka_streams_eps", ks);
    if (!Double.isNaN(ks)) {
      m.put("kafka_streams_best_threads", !Double.isNaN(ks2) && (Double.isNaN(ks1) || ks2 > ks1) ? 2 : 1);
    }
    if (!Double.isNaN(nip / ks)) {
      m.put("nip_over_kafka_streams", round3(nip / ks));
    }
    if (!Double.isNaN(nip / limit)) {
      m.put("nip_over_limit", round3(nip / limit));
    }
    if (!Double.isNaN(nipPartitioned / ks)) {
      m.put("nip_partitioned_over_kafka_streams", round3(nipPartitioned / ks));
    }
    if (!Double.isNaN(nipPartitioned / limit)) {
      m.put("nip_partitioned_over_limit", round3(nipPartitioned / limit));
    }
    if (!Double.isNaN(nipBackpressure / nip)) {
      m.put("nip_backpressure_over_nip", round3(nipBackpressure / nip));
    }
    if (!Double.isNaN(nip / nipBare)) {
      m.put("nip_over_nip_bare", round3(nip / nipBare));
    }
    if (!Double.isNaN(nipMonitored / nipBare)) {
      m.put("nip_monitored_over_nip_bare", round3(nipMonitored / nipBare));
    }
    double bareCpu = median(rounds, "nip-bare", AnalyticsRuns.Run::cpuMicrosPerRecord);
    double monitoredCpu = median(rounds, "nip-monitored", AnalyticsRuns.Run::cpuMicrosPerRecord);
    if (!Double.isNaN(monitoredCpu / bareCpu)) {
      m.put("nip_bare_cpu_us_per_record", round3(bareCpu));
      m.put("nip_monitored_cpu_us_per_record", round3(monitoredCpu));
      m.put("nip_monitored_cpu_over_nip_bare", round3(monitoredCpu / bareCpu));
    }
    if (!Double.isNaN(nipSchema / nip)) {
      m.put("nip_schema_over_nip", round3(nipSchema / nip));
    }
    m.put("exercise", s.sessions() ? "sessions" : "analytics");
    m.put("expected_final_results", s.sessions() ? w.sessions() : w.userWindows());
    putCount(m, "nip_output_records", median(rounds, "nip", AnalyticsRuns.Run::outputRecords));
    putCount(m, "nip_late_events", median(rounds, "nip", AnalyticsRuns.Run::lateEvents));
    putCount(m, "nip_partitioned_output_records", median(rounds, "nip-partitioned", AnalyticsRuns.Run::outputRecords));
    putCount(m, "nip_partitioned_late_events", median(rounds, "nip-partitioned", AnalyticsRuns.Run::lateEvents));
    putCount(m, "nip_backpressure_output_records", median(rounds, "nip-backpressure", AnalyticsRuns.Run::outputRecords));
    putCount(m, "nip_backpressure_late_events", median(rounds, "nip-backpressure", AnalyticsRuns.Run::lateEvents));
    putCount(m, "nip_bare_output_records", median(rounds, "nip-bare", AnalyticsRuns.Run::outputRecords));
    putCount(m, "nip_monitored_output_records", median(rounds, "nip-monitored", AnalyticsRuns.Run::outputRecords));
    putCount(m, "nip_schema_output_records", median(rounds, "nip-schema", AnalyticsRuns.Run::outputRecords));
    putCount(m, "kafka_streams_1_thread_output_records",
        median(rounds, "kafka-streams-1t", AnalyticsRuns.Run::outputRecords));
    putCount(m, "kafka_streams_2_threads_output_records",
        median(rounds, "kafka-streams-2t", AnalyticsRuns.Run::outputRecords));
    List<Map<String, Object>> perRound = new ArrayList<>();
    for (List<AnalyticsRuns.Run> round : rounds) {
      Map<String, Object> r = new LinkedHashMap<>();
      round.forEach(run -> {
        r.put(run.name().replace('-', '_') + "_eps", Math.round(run.recordsPerSecond()));
        r.put(run.name().replace('-', '_') + "_cpu_us_per_record", round3(run.cpuMicrosPerRecord()));
      });
      double ratio = nipOverKafkaStreams(round);
      if (!Double.isNaN(ratio)) {
        r.put("nip_over_kafka_streams", round3(ratio));
      }
      perRound.add(r);
    }
    m.put("per_round", perRound);
    return m;
  }

  /** Puts {@code v} rounded under {@code name}, unless it is NaN (the contender did not run). */
  static void putRate(Map<String, Object> m, String name, double v) {
    if (!Double.isNaN(v)) {
      m.put(name, Math.round(v));
    }
  }

  private static void putCount(Map<String, Object> m, String name, double v) {
    if (!Double.isNaN(v)) {
      m.put(name, (long) v);
    }
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** @return the median of {@code f} over the rounds' runs of {@code name}; NaN when it did not run */
  private static double median(List<List<AnalyticsRuns.Run>> rounds, String name,
      ToDoubleFunction<AnalyticsRuns.Run> f) {
    return median(rounds.stream().flatMap(List::stream).filter(r -> r.name().equals(name)).mapToDouble(f).toArray());
  }

  /** @return the median of the values; NaN when there are none */
  static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    int n = v.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static void print(Map<String, Object> m, PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "%s over %,d events (%d bytes each on average), state in %s, %s, commit interval "
        + "%s ms, median of %d round(s)%n", "sessions".equals(m.get("exercise")) ? "exercise 2 (sessions)"
        : "exercise 1", m.get("events"), m.get("average_event_bytes"), m.get("state"),
        m.get("guarantee"), m.get("commit_interval_ms"), m.get("rounds"));
    if (m.containsKey("limit_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s%n", "limit (consumer + Jackson)", m.get("limit_eps"));
    }
    if (m.containsKey("nip_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   output %,d records (exact: %,d; late events %,d)%n",
          "NIP (" + m.get("nip_threads") + " threads)", m.get("nip_eps"), m.get("nip_output_records"),
          m.get("expected_final_results"), m.get("nip_late_events"));
    }
    if (m.containsKey("nip_partitioned_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   output %,d records (exact: %,d; late events %,d)%n",
          "NIP partitioned input", m.get("nip_partitioned_eps"),
          m.get("nip_partitioned_output_records"), m.get("expected_final_results"), m.get("nip_partitioned_late_events"));
    }
    if (m.containsKey("nip_backpressure_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   output %,d records (exact: %,d; late events %,d)%n",
          "NIP buffer + idle rate limit", m.get("nip_backpressure_eps"),
          m.get("nip_backpressure_output_records"), m.get("expected_final_results"), m.get("nip_backpressure_late_events"));
    }
    if (m.containsKey("nip_bare_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   output %,d records (exact: %,d)%n",
          "NIP, no operator metrics", m.get("nip_bare_eps"), m.get("nip_bare_output_records"),
          m.get("expected_final_results"));
    }
    if (m.containsKey("nip_monitored_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   output %,d records (exact: %,d)%n",
          "NIP, full monitoring", m.get("nip_monitored_eps"), m.get("nip_monitored_output_records"),
          m.get("expected_final_results"));
    }
    if (m.containsKey("nip_schema_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   output %,d records (exact: %,d)%n",
          "NIP + JSON Schema check", m.get("nip_schema_eps"), m.get("nip_schema_output_records"),
          m.get("expected_final_results"));
    }
    if (m.containsKey("kafka_streams_1_thread_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   output %,d records%n", "Kafka Streams, 1 thread",
          m.get("kafka_streams_1_thread_eps"), m.get("kafka_streams_1_thread_output_records"));
    }
    if (m.containsKey("kafka_streams_2_threads_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   output %,d records%n", "Kafka Streams, 2 threads",
          m.get("kafka_streams_2_threads_eps"), m.get("kafka_streams_2_threads_output_records"));
    }
    if (m.containsKey("nip_over_kafka_streams")) {
      out.printf(Locale.ROOT, "  NIP / Kafka Streams (best of 1 and 2 threads) = %.2fx%n", m.get("nip_over_kafka_streams"));
      StringBuilder perRound = new StringBuilder();
      for (Object r : (List<?>) m.get("per_round")) {
        Object ratio = ((Map<?, ?>) r).get("nip_over_kafka_streams");
        perRound.append(perRound.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ratio));
      }
      out.printf(Locale.ROOT, "    per round (best Kafka Streams run of each round): %s%n", perRound);
    }
    if (m.containsKey("nip_over_limit")) {
      out.printf(Locale.ROOT, "  NIP / limit                                   = %.2fx%n", m.get("nip_over_limit"));
    }
    if (m.containsKey("nip_partitioned_over_kafka_streams")) {
      out.printf(Locale.ROOT, "  NIP partitioned input / Kafka Streams        = %.2fx%n",
          m.get("nip_partitioned_over_kafka_streams"));
    }
    if (m.containsKey("nip_backpressure_over_nip")) {
      out.printf(Locale.ROOT, "  NIP buffer + idle rate limit / NIP           = %.2fx (buffer %,d per partition, "
          + "BLOCK; limit %,.0f events/s)%n", m.get("nip_backpressure_over_nip"), AnalyticsRuns.Variant.BUFFER,
          AnalyticsRuns.Variant.RATE_LIMIT);
    }
    if (m.containsKey("nip_over_nip_bare")) {
      out.printf(Locale.ROOT, "  NIP (operator metrics on) / NIP bare         = %.2fx  per round: %s%n",
          m.get("nip_over_nip_bare"), perRound(m, "nip_eps", "nip_bare_eps"));
    }
    if (m.containsKey("nip_monitored_over_nip_bare")) {
      out.printf(Locale.ROOT, "  NIP full monitoring / NIP bare               = %.2fx  per round: %s (Prometheus scraped"
          + " every 1 s, health checks, %.0f %% traced)%n", m.get("nip_monitored_over_nip_bare"),
          perRound(m, "nip_monitored_eps", "nip_bare_eps"), FullMonitoring.TRACE_RATE * 100);
      out.printf(Locale.ROOT, "    geometric mean of the rounds' ratios = %.3fx (odd and even rounds run the two in"
          + " opposite order, so an order effect cancels)%n", geometricMean(m, "nip_monitored_eps", "nip_bare_eps"));
    }
    if (m.containsKey("nip_monitored_cpu_over_nip_bare")) {
      out.printf(Locale.ROOT, "  CPU per record, full monitoring / bare      = %.2fx  (%.2f vs %.2f us, this JVM's threads"
          + " together)  per round: %s%n", m.get("nip_monitored_cpu_over_nip_bare"),
          m.get("nip_monitored_cpu_us_per_record"), m.get("nip_bare_cpu_us_per_record"),
          perRound(m, "nip_monitored_cpu_us_per_record", "nip_bare_cpu_us_per_record"));
    }
    if (m.containsKey("nip_schema_over_nip")) {
      out.printf(Locale.ROOT, "  NIP + JSON Schema check / NIP                = %.2fx%n", m.get("nip_schema_over_nip"));
    }
    if (m.containsKey("nip_partitioned_over_limit")) {
      out.printf(Locale.ROOT, "  NIP partitioned input / limit                = %.2fx%n", m.get("nip_partitioned_over_limit"));
    }
  }

  /** @return the geometric mean of each round's {@code a / b}, NaN when no round has both */
  private static double geometricMean(Map<String, Object> m, String a, String b) {
    double logSum = 0;
    int n = 0;
    for (Object r : (List<?>) m.get("per_round")) {
      Map<?, ?> round = (Map<?, ?>) r;
      if (round.get(a) instanceof Number x && round.get(b) instanceof Number y) {
        logSum += Math.log(x.doubleValue() / y.doubleValue());
        n++;
      }
    }
    return n == 0 ? Double.NaN : Math.exp(logSum / n);
  }

  /** @return each round's {@code a / b}, e.g. "1.01, 0.98, 1.02" */
  private static String perRound(Map<String, Object> m, String a, String b) {
    StringBuilder out = new StringBuilder();
    for (Object r : (List<?>) m.get("per_round")) {
      Map<?, ?> round = (Map<?, ?>) r;
      if (round.get(a) instanceof Number x && round.get(b) instanceof Number y) {
        out.append(out.length() == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "%.2f", x.doubleValue() / y.doubleValue()));
      }
    }
    return out.toString();
  }
}
