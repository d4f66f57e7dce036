package io.nip.bench.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code nip bench join}: a stream–table join on one broker (in its own JVM), NIP against Kafka
 * Streams' {@code KStream#join(KTable)} with 1 and 2 stream threads. A compacted topic of one profile
 * per key is written first (record timestamps a day before every event), then the events (exercise
 * 1's generator, users numbered like the profile keys, so every event has a profile), both with 3
 * partitions and keyed by user id. Each contender runs in a JVM of its own for the whole benchmark
 * ({@link ContenderProcess}), as the broker does. Each contender first repeats unreported warm-up
 * runs over a separate, smaller events topic for {@code warmupSeconds} (its JIT compiler is still at
 * work after one run); then {@code repeat} rounds run the contenders one after another (every second
 * round in reverse order). Each run's output must hold one result per event, and all runs of
 * a round the same results (count and checksum); the ratio is NIP over the better Kafka Streams run,
 * per round and of the medians.
 */
final class JoinBench {
  static final String EVENTS = "join-events";
  static final String WARMUP_EVENTS = "join-events-warmup";
  static final String PROFILES = "profiles";
  /** The contenders, in the order a round runs them. */
  static final List<String> CONTENDERS = List.of("nip", "kafka-streams-1t", "kafka-streams-2t");

  /**
   * The settings of a run.
   *
   * @param events events per measured round
   * @param keys profiles, and users of the events
   * @param repeat measured rounds
   * @param warmupEvents events of each warm-up run (0: none)
   * @param warmupSeconds each contender repeats warm-up runs for this long (wall time, at least one run)
   * @param nipThreads NIP worker threads
   * @param contenders which to run
   * @param state memory or RocksDB for both sides' state
   */
  record Settings(long events, int keys, int repeat, long warmupEvents, int warmupSeconds, int nipThreads, Set<String> contenders,
      BenchState state) {}

  private JoinBench() {}

  static Map<String, Object> run(Settings s, PrintStream log) throws IOException {
    log.printf("starting the broker in its own JVM ...%n");
    try (BrokerProcess broker = BrokerProcess.start(); Topics topics = new Topics(broker.bootstrapServers())) {
      String bootstrap = broker.bootstrapServers();
      log.printf("broker pid %d at %s%n", broker.pid(), bootstrap);
      topics.create(PROFILES, 3, Map.of("cleanup.policy", "compact"));
      topics.create(EVENTS, 3);
      long profileBytes = JoinRuns.writeProfiles(bootstrap, PROFILES, s.keys(), 11);
      log.printf(Locale.ROOT, "wrote %,d profiles (%.0f bytes each on average)%n", s.keys(),
          (double) profileBytes / s.keys());
      EventFeed.Written w = EventFeed.write(bootstrap, EVENTS, s.events(), 42, s.keys());
      log.printf(Locale.ROOT, "wrote %,d events (%.0f bytes each on average, %,d users) in %.1f s%n", w.events(),
          w.averageBytes(), s.keys(), w.elapsed().toMillis() / 1000.0);
      List<List<JoinRuns.Run>> rounds = new ArrayList<>();
      JoinRuns runs = new JoinRuns(bootstrap, topics, PROFILES);
      Map<String, ContenderProcess> children = new LinkedHashMap<>();
      try {
        for (String c : CONTENDERS) {
          if (s.contenders().contains(c)) {
            children.put(c, start(c, bootstrap, s));
          }
        }
        if (s.warmupEvents() > 0) {
          topics.create(WARMUP_EVENTS, 3);
          EventFeed.write(bootstrap, WARMUP_EVENTS, s.warmupEvents(), 7, s.keys());
          log.printf(Locale.ROOT, "warm-up: each contender repeats runs over %,d events for %d s (not "
              + "reported) ...%n", s.warmupEvents(), s.warmupSeconds());
          for (String c : children.keySet()) {
            long start = System.nanoTime(); // wall time, with the bench's topics and read-backs
            int n = 0;
            JoinRuns.Run last;
            do {
              last = check(List.of(runOne(runs, c, children.get(c), WARMUP_EVENTS, s.warmupEvents())),
                  s.warmupEvents()).get(0);
              n++;
            } while (System.nanoTime() - start < s.warmupSeconds() * 1_000_000_000L);
            log.printf(Locale.ROOT, "  warm-up %s: %d run(s) in %.1f s, the last %s%n", c, n,
                (System.nanoTime() - start) / 1e9, describe(last));
          }
        }
        for (int i = 1; i <= s.repeat(); i++) {
          boolean reversed = i % 2 == 0;
          log.printf("round %d of %d%s%n", i, s.repeat(), reversed ? " (contenders in reverse order)" : "");
          List<JoinRuns.Run> round = round(runs, children, EVENTS, s.events(), reversed);
          round.forEach(r -> log.println("  " + describe(r)));
          double ratio = nipOverKafkaStreams(round);
          if (!Double.isNaN(ratio)) {
            log.printf(Locale.ROOT, "  NIP / Kafka Streams (best of this round) = %.2fx%n", ratio);
          }
          rounds.add(round);
        }
      } finally {
        children.values().forEach(ContenderProcess::close);
      }
      return summary(s, w, profileBytes, rounds);
    }
  }

  /** Starts the JVM of a contender ({@code nip}, {@code kafka-streams-1t} or {@code -2t}). */
  private static ContenderProcess start(String contender, String bootstrap, Settings s) throws IOException {
    boolean nip = contender.equals("nip");
    String threads = nip ? String.valueOf(s.nipThreads()) : contender.equals("kafka-streams-1t") ? "1" : "2";
    return ContenderProcess.start(contender,
        List.of("join", bootstrap, PROFILES, nip ? "nip" : "kafka-streams", threads, s.state().label()));
  }

  /**
   * Runs the chosen contenders once each, NIP first unless {@code reversed} (rounds alternate, so
   * that no contender always runs first); the runs are returned in NIP-first order. Fails when a
   * run's output is not one result per event, or differs.
   */
  private static List<JoinRuns.Run> round(JoinRuns runs, Map<String, ContenderProcess> children, String events,
      long records, boolean reversed) throws IOException {
    List<String> names = new ArrayList<>(children.keySet());
    JoinRuns.Run[] done = new JoinRuns.Run[names.size()];
    for (int k = 0; k < done.length; k++) {
      int at = reversed ? done.length - 1 - k : k;
      done[at] = runOne(runs, names.get(at), children.get(names.get(at)), events, records);
    }
    return check(List.of(done), records);
  }

  private static JoinRuns.Run runOne(JoinRuns runs, String name, ContenderProcess child, String events, long records)
      throws IOException {
    return name.equals("nip") ? runs.nip(child, events, records)
        : runs.kafkaStreams(child, events, records, name.equals("kafka-streams-1t") ? 1 : 2);
  }

  /** @return the runs, once each holds one result per event and all the same results */
  private static List<JoinRuns.Run> check(List<JoinRuns.Run> out, long records) {
    for (JoinRuns.Run r : out) {
      if (r.outputRecords() != records) {
        throw new IllegalStateException(r.name() + " wrote " + r.outputRecords() + " results for " + records
            + " events (every event has a profile: expected one each)");
      }
      if (r.checksum() != out.get(0).checksum()) {
        throw new IllegalStateException(r.name() + "'s results differ from " + out.get(0).name() + "'s (checksum "
            + r.checksum() + " against " + out.get(0).checksum() + ")");
      }
    }
    return out;
  }

  /** @return nip / the better Kafka Streams run of one round, or NaN when either side did not run */
  private static double nipOverKafkaStreams(List<JoinRuns.Run> round) {
    double nip = Double.NaN;
    double ks = Double.NaN;
    for (JoinRuns.Run r : round) {
      if (r.name().equals("nip")) {
        nip = r.recordsPerSecond();
      } else {
        ks = Double.isNaN(ks) ? r.recordsPerSecond() : Math.max(ks, r.recordsPerSecond());
      }
    }
    return nip / ks;
  }

  private static String describe(JoinRuns.Run r) {
    return String.format(Locale.ROOT, "%-17s %,12.0f records/s  %6.2f s  output %,d%s", r.name(),
        r.recordsPerSecond(), r.elapsed().toMillis() / 1000.0, r.outputRecords(),
        (r.name().equals("nip") ? String.format(Locale.ROOT, "  late events %,d", r.lateEvents()) : "")
            + String.format(Locale.ROOT, "  state %,d keys, %.1f bytes/key", r.state().keys(), r.state().bytesPerKey()));
  }

  private static Map<String, Object> summary(Settings s, EventFeed.Written w, long profileBytes,
      List<List<JoinRuns.Run>> rounds) {
    double nip = median(rounds, "nip");
    double ks1 = median(rounds, "kafka-streams-1t");
    double ks2 = median(rounds, "kafka-streams-2t");
    double ks = Double.isNaN(ks1) ? ks2 : Double.isNaN(ks2) ? ks1 : Math.max(ks1, ks2);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("events", s.events());
    m.put("keys", s.keys());
    m.put("average_event_bytes", Math.round(w.averageBytes()));
    m.put("average_profile_bytes", Math.round((double) profileBytes / s.keys()));
    m.put("rounds", s.repeat());
    m.put("warmup_events", s.warmupEvents());
    m.put("warmup_seconds", s.warmupSeconds());
    m.put("nip_threads", s.nipThreads());
    m.put("state", s.state().label());
    m.put("guarantee", "at-least-once");
    AnalyticsBench.putRate(m, "nip_eps", nip);
    AnalyticsBench.putRate(m, "kafka_streams_1_thread_eps", ks1);
    AnalyticsBench.putRate(m, "kafka_streams_2_threads_eps", ks2);
    AnalyticsBench.putRate(m, "kafka_streams_eps", ks);
    if (!Double.isNaN(nip / ks)) {
      m.put("nip_over_kafka_streams", Math.round(nip / ks * 1000) / 1000.0);
    }
    List<JoinRuns.Run> last = rounds.get(rounds.size() - 1);
    m.put("output_records", last.get(0).outputRecords());
    m.put("outputs_equal", true); // round() fails otherwise
    for (JoinRuns.Run r : last) {
      String prefix = r.name().equals("nip") ? "nip" : "kafka_streams";
      if (prefix.equals("nip")) {
        m.put("nip_late_events", r.lateEvents());
      }
      m.put(prefix + "_state_keys", r.state().keys());
      m.put(prefix + "_state_bytes", r.state().bytes());
      m.put(prefix + "_state_bytes_per_key", Math.round(r.state().bytesPerKey() * 10) / 10.0);
    }
    List<Map<String, Object>> perRound = new ArrayList<>();
    for (List<JoinRuns.Run> round : rounds) {
      Map<String, Object> r = new LinkedHashMap<>();
      round.forEach(run -> r.put(run.name().replace('-', '_') + "_eps", Math.round(run.recordsPerSecond())));
      double ratio = nipOverKafkaStreams(round);
      if (!Double.isNaN(ratio)) {
        r.put("nip_over_kafka_streams", Math.round(ratio * 1000) / 1000.0);
      }
      perRound.add(r);
    }
    m.put("per_round", perRound);
    return m;
  }

  /** @return the median records/s over the rounds' runs of {@code name}; NaN when it did not run */
  private static double median(List<List<JoinRuns.Run>> rounds, String name) {
    return AnalyticsBench.median(rounds.stream().flatMap(List::stream).filter(r -> r.name().equals(name))
        .mapToDouble(JoinRuns.Run::recordsPerSecond).toArray());
  }

  static void print(Map<String, Object> m, PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "stream-table join of %,d events (%d bytes each on average) with %,d profiles (%d bytes "
        + "each), state in %s, %s, median of %d round(s)%n", m.get("events"), m.get("average_event_bytes"),
        m.get("keys"), m.get("average_profile_bytes"), m.get("state"), m.get("guarantee"), m.get("rounds"));
    if (m.containsKey("nip_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s   late events %,d%n", "NIP (" + m.get("nip_threads")
          + " threads)", m.get("nip_eps"), m.get("nip_late_events"));
    }
    if (m.containsKey("kafka_streams_1_thread_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s%n", "Kafka Streams, 1 thread", m.get("kafka_streams_1_thread_eps"));
    }
    if (m.containsKey("kafka_streams_2_threads_eps")) {
      out.printf(Locale.ROOT, "  %-28s %,12d records/s%n", "Kafka Streams, 2 threads",
          m.get("kafka_streams_2_threads_eps"));
    }
    out.printf(Locale.ROOT, "  output: %,d joined records per run, one per event, the same on every side%n",
        m.get("output_records"));
    if (m.containsKey("nip_over_kafka_streams")) {
      out.printf(Locale.ROOT, "  NIP / Kafka Streams (best of 1 and 2 threads) = %.2fx%n", m.get("nip_over_kafka_streams"));
      StringBuilder perRound = new StringBuilder();
      for (Object r : (List<?>) m.get("per_round")) {
        Object ratio = ((Map<?, ?>) r).get("nip_over_kafka_streams");
        perRound.append(perRound.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ratio));
      }
      out.printf(Locale.ROOT, "    per round (best Kafka Streams run of each round): %s%n", perRound);
    }
    if (m.containsKey("nip_state_keys")) {
      out.printf(Locale.ROOT, "  NIP join state at the end: %,d keys, %,d bytes, %.1f bytes per key (serialized key + "
          + "state value)%n", m.get("nip_state_keys"), m.get("nip_state_bytes"), m.get("nip_state_bytes_per_key"));
    }
    if (m.containsKey("kafka_streams_state_keys")) {
      out.printf(Locale.ROOT, "  Kafka Streams table state:  %,d keys, %,d bytes, %.1f bytes per key (key + last value "
          + "in its changelog)%n", m.get("kafka_streams_state_keys"), m.get("kafka_streams_state_bytes"),
          m.get("kafka_streams_state_bytes_per_key"));
    }
  }
}
