package io.nip.bench.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code nip bench restore}: how long a keyed job takes to restore the state of N keys from its
 * changelog onto a machine without local state, NIP against Kafka Streams on the same broker.
 *
 * <p>The input topic (3 partitions) gets one record per key, the key as record key and value. Each
 * side builds its state once (a keyed count over the whole input, committed to its changelog),
 * then every round writes one probe record into each input partition (keys counted once before) and
 * starts each side again with empty local state, timing it from the start until it counted them. The first round
 * warms both JVM paths up and is not reported.
 */
final class RestoreBench {
  static final String INPUT = "restore-input";
  static final int PARTITIONS = 3;

  /** The settings of a run. */
  record Settings(long keys, int repeat, int threads, BenchState state) {}

  private RestoreBench() {}

  static Map<String, Object> run(Settings s, PrintStream log) throws IOException {
    log.printf("starting the broker in its own JVM ...%n");
    try (BrokerProcess broker = BrokerProcess.start(); Topics topics = new Topics(broker.bootstrapServers())) {
      String bootstrap = broker.bootstrapServers();
      log.printf("broker pid %d at %s%n", broker.pid(), bootstrap);
      topics.create(INPUT, PARTITIONS);
      long t0 = System.nanoTime();
      try (KafkaProducer<String, String> producer = producer(bootstrap)) {
        for (long i = 0; i < s.keys(); i++) {
          String key = key(i);
          producer.send(new ProducerRecord<>(INPUT, key, key), RestoreBench::failOnError);
        }
      }
      log.printf(Locale.ROOT, "wrote %,d keys in %.1f s%n", s.keys(), (System.nanoTime() - t0) / 1e9);
      RestoreRuns runs = new RestoreRuns(bootstrap, topics, INPUT, s.threads(), s.state());
      String nipApp = "bench-restore-nip";
      String streamsApp = "bench-restore-streams";
      RestoreRuns.Build nipBuild = runs.nipBuild(nipApp, s.keys());
      log.printf(Locale.ROOT, "NIP built its state: %,d keys in %.2f s (%,.0f records/s), %,d changelog records%n",
          s.keys(), seconds(nipBuild.elapsed()), nipBuild.recordsPerSecond(), topics.changelogRecords(nipApp));
      RestoreRuns.Build streamsBuild = runs.streamsBuild(streamsApp, s.keys());
      log.printf(Locale.ROOT, "Kafka Streams built its state: %,d keys in %.2f s (%,.0f records/s), %,d changelog "
          + "records%n", s.keys(), seconds(streamsBuild.elapsed()), streamsBuild.recordsPerSecond(),
          topics.changelogRecords(streamsApp));

      List<List<RestoreRuns.Restore>> rounds = new ArrayList<>();
      for (int i = 0; i <= s.repeat(); i++) {
        log.printf(i == 0 ? "warm-up round (not reported)%n" : "round %d of %d%n", i, s.repeat());
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
          for (String probe : probes(i, s.keys())) { // counted once when the state was built
            producer.send(new ProducerRecord<>(INPUT, probe, probe), RestoreBench::failOnError);
          }
        }
        List<RestoreRuns.Restore> round = List.of(runs.nipRestore(nipApp, PARTITIONS),
            runs.streamsRestore(streamsApp, PARTITIONS));
        for (RestoreRuns.Restore r : round) {
          log.println("  " + describe(r));
          if (r.probeCount() != 2) {
            throw new IllegalStateException(r.name() + " counted a probe's key " + r.probeCount()
                + " times instead of 2: its state was not restored");
          }
        }
        log.printf(Locale.ROOT, "  Kafka Streams / NIP (time to the probes) = %.2fx%n", speedup(round));
        if (i > 0) {
          rounds.add(round);
        }
      }
      return summary(s, nipBuild, streamsBuild, rounds);
    }
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static void failOnError(org.apache.kafka.clients.producer.RecordMetadata md, Exception e) {
    if (e != null) {
      throw new IllegalStateException("cannot write the input: " + e.getMessage(), e);
    }
  }

  /**
   * @return for round {@code round}, one existing key per input partition (as the producer's default
   *     partitioner places it), none used in an earlier round
   */
  static List<String> probes(int round, long keys) {
    String[] found = new String[PARTITIONS];
    int missing = PARTITIONS;
    for (long i = (round * 104_729L + 17) % keys, n = 0; missing > 0 && n < keys; i = (i + 1) % keys, n++) {
      String k = key(i);
      int p = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
          k.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % PARTITIONS;
      if (found[p] == null) {
        found[p] = k;
        missing--;
      }
    }
    return List.of(found);
  }

  /** @return "key-0000042" for 42 (7 digits, more for more keys) */
  static String key(long i) {
    String digits = Long.toString(i);
    StringBuilder b = new StringBuilder(11).append("key-");
    for (int pad = digits.length(); pad < 7; pad++) {
      b.append('0');
    }
    return b.append(digits).toString();
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** @return Kafka Streams' time to the probes / NIP's: above 1 means NIP restored faster */
  private static double speedup(List<RestoreRuns.Restore> round) {
    return seconds(round.get(1).probe()) / seconds(round.get(0).probe());
  }

  private static String describe(RestoreRuns.Restore r) {
    return r.name().equals("nip")
        ? String.format(Locale.ROOT, "%-14s probes counted after %6.2f s  (start() returned, all tasks restored, "
            + "after %.2f s)", "NIP", seconds(r.probe()), seconds(r.ready()))
        : String.format(Locale.ROOT, "%-14s probes counted after %6.2f s  (RUNNING %s; restore listener: "
            + "%,d records in %.2f s)", "Kafka Streams", seconds(r.probe()),
            r.ready().isZero() ? "not reached before the probes" : String.format(Locale.ROOT, "after %.2f s",
                seconds(r.ready())), r.restoredEntries(), seconds(r.restoreWall()));
  }

  private static Map<String, Object> summary(Settings s, RestoreRuns.Build nip, RestoreRuns.Build streams,
      List<List<RestoreRuns.Restore>> rounds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("keys", s.keys());
    m.put("state", s.state().label());
    m.put("threads", s.threads());
    m.put("rounds", s.repeat());
    m.put("nip_build_seconds", round3(seconds(nip.elapsed())));
    m.put("kafka_streams_build_seconds", round3(seconds(streams.elapsed())));
    m.put("nip_probe_seconds", round3(median(rounds, r -> seconds(r.get(0).probe()))));
    m.put("nip_start_returned_seconds", round3(median(rounds, r -> seconds(r.get(0).ready()))));
    m.put("kafka_streams_probe_seconds", round3(median(rounds, r -> seconds(r.get(1).probe()))));
    m.put("kafka_streams_restore_listener_seconds", round3(median(rounds, r -> seconds(r.get(1).restoreWall()))));
    m.put("kafka_streams_over_nip", round3(median(rounds, RestoreBench::speedup)));
    List<Map<String, Object>> perRound = new ArrayList<>();
    for (List<RestoreRuns.Restore> r : rounds) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("nip_probe_seconds", round3(seconds(r.get(0).probe())));
      x.put("nip_start_returned_seconds", round3(seconds(r.get(0).ready())));
      x.put("kafka_streams_probe_seconds", round3(seconds(r.get(1).probe())));
      x.put("kafka_streams_running_seconds", r.get(1).ready().isZero() ? null : round3(seconds(r.get(1).ready())));
      x.put("kafka_streams_restore_listener_seconds", round3(seconds(r.get(1).restoreWall())));
      x.put("kafka_streams_restored_records", r.get(1).restoredEntries());
      x.put("kafka_streams_over_nip", round3(speedup(r)));
      perRound.add(x);
    }
    m.put("per_round", perRound);
    return m;
  }

  private static double median(List<List<RestoreRuns.Restore>> rounds, Function<List<RestoreRuns.Restore>, Double> f) {
    double[] v = rounds.stream().mapToDouble(f::apply).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static void print(Map<String, Object> m, PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "restore of %,d keys onto empty local state (state in %s, %d threads), median of %d "
        + "round(s)%n", m.get("keys"), m.get("state"), m.get("threads"), m.get("rounds"));
    out.printf(Locale.ROOT, "  %-15s probes counted after %7.3f s   start() returned after %.3f s%n", "NIP",
        m.get("nip_probe_seconds"), m.get("nip_start_returned_seconds"));
    out.printf(Locale.ROOT, "  %-15s probes counted after %7.3f s   restore listener (first start to last end) %.3f s%n",
        "Kafka Streams", m.get("kafka_streams_probe_seconds"), m.get("kafka_streams_restore_listener_seconds"));
    StringBuilder perRound = new StringBuilder();
    for (Object r : (List<?>) m.get("per_round")) {
      perRound.append(perRound.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%.2f", ((Map<?, ?>) r).get("kafka_streams_over_nip")));
    }
    out.printf(Locale.ROOT, "  Kafka Streams / NIP, time to the probes = %.2fx (per round %s); target: at least 1%n",
        m.get("kafka_streams_over_nip"), perRound);
  }
}
