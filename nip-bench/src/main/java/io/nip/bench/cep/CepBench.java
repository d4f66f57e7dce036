package io.nip.bench.cep;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import io.nip.cep.Cep;
import io.nip.cep.Pattern;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.state.rocksdb.RocksDbStateBackend;
import io.nip.time.WatermarkStrategy;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code nip bench cep}: the tutorial's failed-login pattern (3 failed logins within 5 minutes, then
 * a success) over the same generated logins on NIP (nip-cep on RocksDB state with checkpoints to a
 * local directory every second, or on the memory backend, in-process pipeline) and Esper
 * (in-process runtime, the same pattern in EPL {@code match_recognize}, configured for one sending
 * thread as its documentation advises), side by side in one run; prints events/s of each, the
 * ratio and the number of matches (which must agree).
 *
 * <pre>{@code
 * Map<String, Object> m = CepBench.run(new CepBench.Settings(1_000_000, 10_000, 1, 42), System.err);
 * }</pre>
 *
 * <p>Same semantics on both sides: per user, three consecutive failed logins whose first and third
 * are at most 5 minutes apart, then the next success, any failures between skipped; matches never share an
 * event (NIP's default skip past the last event, Esper's {@code after match skip past last row}).
 * Events arrive in event-time order, so NIP's watermark delay does not hold matches back. Times are
 * wall-clock durations of the whole run (generation excluded), the JIT warmed by a first round of
 * a tenth of the events on each side.
 */
public final class CepBench {
  /** The EPL: the pattern of {@link #pattern()} as a row pattern per user. */
  static final String EPL = "@name('failed_login_sequence') select * from Login\n"
      + "match_recognize (partition by user measures A.ts as firstTs, E.ts as lastTs\n"
      + "  after match skip past last row\n"
      + "  pattern (A B C D*? E)\n"
      + "  define A as not A.success, B as not B.success,\n"
      + "    C as not C.success and C.ts - A.ts <= 300000,\n"
      + "    D as not D.success, E as E.success)";

  private CepBench() {}

  /**
   * What to run.
   *
   * @param events logins per round, at least 1,000
   * @param users distinct users, at least 1
   * @param nipThreads NIP worker threads
   * @param seed generator seed
   * @param memoryState true for NIP's in-memory state backend instead of RocksDB
   * @param checkpointInterval NIP's checkpoint interval (state and source positions to a local
   *     directory), or null for no checkpoints
   * @param rounds measured rounds, each NIP then Esper, at least 1
   */
  public record Settings(long events, int users, int nipThreads, long seed, boolean memoryState,
      Duration checkpointInterval, int rounds) {
    /**
     * RocksDB state, checkpoints every second, one round.
     *
     * @param events logins per round
     * @param users distinct users
     * @param nipThreads NIP worker threads
     * @param seed generator seed
     */
    public Settings(long events, int users, int nipThreads, long seed) {
      this(events, users, nipThreads, seed, false, Duration.ofSeconds(1), 1);
    }

    String state() {
      return memoryState ? "memory" : "RocksDB";
    }
  }

  /**
   * @return the pattern on NIP: three consecutive failures spanning at most 5 minutes
   *     ({@code times(3).consecutive().stepWithin(5 min)}), then the next success (relaxed: the
   *     failures in between are skipped), as the EPL's {@code A B C D*? E}
   */
  static Pattern<Login> pattern() {
    return Pattern.<Login>begin("failures").where(l -> !l.isSuccess()).times(3).consecutive()
        .stepWithin(Duration.ofMinutes(5)).followedBy("success").where(Login::isSuccess);
  }

  /**
   * @param s the settings
   * @param log progress lines
   * @return figures: {@code events}, {@code nip_events_per_s} and {@code esper_events_per_s} (medians
   *     over the rounds), {@code ratios} (NIP / Esper per round, each side measured one after the other
   *     in that round), {@code ratio_nip_to_esper} (their median), {@code nip_matches},
   *     {@code esper_matches}
   */
  public static Map<String, Object> run(Settings s, PrintStream log) {
    List<Login> warm = logins(Math.max(1_000, s.events() / 10), s.users(), s.seed() + 1);
    List<Login> logins = logins(s.events(), s.users(), s.seed());
    log.printf("cep: warm-up (%,d logins each)%n", warm.size());
    nip(warm, s);
    esper(warm);
    double[] nipRates = new double[s.rounds()];
    double[] esperRates = new double[s.rounds()];
    List<Double> ratios = new ArrayList<>();
    long nipMatches = 0;
    long esperMatches = 0;
    for (int r = 0; r < s.rounds(); r++) {
      log.printf("cep: round %d of %d: NIP (%s state, %d thread%s), then Esper (in memory), %,d logins each%n",
          r + 1, s.rounds(), s.state(), s.nipThreads(), s.nipThreads() == 1 ? "" : "s", logins.size());
      long t0 = System.nanoTime();
      nipMatches = nip(logins, s);
      long t1 = System.nanoTime();
      esperMatches = esper(logins);
      long t2 = System.nanoTime();
      nipRates[r] = logins.size() / ((t1 - t0) / 1e9);
      esperRates[r] = logins.size() / ((t2 - t1) / 1e9);
      ratios.add(nipRates[r] / esperRates[r]);
      log.printf("cep: round %d: NIP %,.0f events/s, Esper %,.0f events/s, ratio %.2f%n", r + 1, nipRates[r],
          esperRates[r], nipRates[r] / esperRates[r]);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("events", logins.size());
    m.put("users", s.users());
    m.put("rounds", s.rounds());
    m.put("nip_threads", s.nipThreads());
    m.put("nip_state", s.state());
    m.put("nip_checkpoint_interval_ms", s.checkpointInterval() == null ? 0 : s.checkpointInterval().toMillis());
    m.put("nip_events_per_s", median(nipRates));
    m.put("esper_events_per_s", median(esperRates));
    m.put("ratios", ratios);
    m.put("ratio_nip_to_esper", median(ratios.stream().mapToDouble(Double::doubleValue).toArray()));
    m.put("nip_matches", nipMatches);
    m.put("esper_matches", esperMatches);
    return m;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /**
   * @param m figures of {@link #run}
   * @param out where the table goes
   */
  public static void print(Map<String, Object> m, PrintStream out) {
    out.printf("failed_login_sequence over %,d logins of %,d users (events/s: medians of the rounds)%n",
        (Integer) m.get("events"), (Integer) m.get("users"));
    long cp = (Long) m.get("nip_checkpoint_interval_ms");
    String nip = "NIP (" + m.get("nip_state") + ", " + m.get("nip_threads") + "t, " + (cp == 0 ? "no checkpoints"
        : "checkpoint/" + cp + " ms") + ")";
    out.printf("  %-40s %,12.0f events/s  %,9d matches%n", nip,
        (Double) m.get("nip_events_per_s"), (Long) m.get("nip_matches"));
    out.printf("  %-40s %,12.0f events/s  %,9d matches%n", "Esper (in memory)", (Double) m.get("esper_events_per_s"),
        (Long) m.get("esper_matches"));
    out.printf("  %-40s %12.2f  (median of %d rounds: %s)%n", "NIP / Esper", (Double) m.get("ratio_nip_to_esper"),
        (Integer) m.get("rounds"), ((List<?>) m.get("ratios")).stream().map(r -> String.format("%.2f", (Double) r))
            .collect(Collectors.joining(" ")));
  }

  /**
   * Generated logins in event-time order: a user tries every few seconds; a third of users fail
   * often (7 of 10 attempts), the others rarely (1 of 10).
   */
  static List<Login> logins(long n, int users, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Login> out = new ArrayList<>((int) n);
    long t = Instant.parse("2026-01-17T17:00:00Z").toEpochMilli();
    for (long i = 0; i < n; i++) {
      int u = rnd.nextInt(users);
      t += rnd.nextInt(3);
      boolean failsOften = u % 3 == 0;
      out.add(new Login("u" + u, rnd.nextInt(10) >= (failsOften ? 7 : 1), t));
    }
    return out;
  }

  private static long nip(List<Login> logins, Settings s) {
    Path dir;
    try {
      dir = Files.createTempDirectory("nip-bench-cep");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PipelineConfig.Builder config = PipelineConfig.builder().threads(s.nipThreads());
    if (s.checkpointInterval() != null) {
      config.checkpointStorage(CheckpointStorage.localDirectory(dir.resolve("checkpoints")))
          .commitInterval(s.checkpointInterval());
    }
    if (s.memoryState()) {
      try {
        return nip(logins, config.build());
      } finally {
        delete(dir);
      }
    }
    try (RocksDbStateBackend rocks = RocksDbStateBackend.builder(dir.resolve("rocksdb")).build()) {
      return nip(logins, config.stateBackend(rocks).build());
    } finally {
      delete(dir);
    }
  }

  private static long nip(List<Login> logins, PipelineConfig config) {
    AtomicLong matches = new AtomicLong();
    Pipeline p = Pipeline.named("bench-cep", config);
    Cep.detect(p.from(Sources.collection("logins", logins),
            WatermarkStrategy.<Login>boundedOutOfOrderness(Duration.ZERO).withTimestamps(l -> Instant.ofEpochMilli(l.getTs())))
            .keyBy(Login::getUser, Serdes.string()), pattern(), Serdes.json(Login.class), Op.named("failed_login_sequence"))
        .matches().to(Sinks.forEach("count", m -> matches.incrementAndGet()));
    if (!p.start().awaitTermination(Duration.ofMinutes(30))) {
      throw new IllegalStateException("the NIP run did not end within 30 minutes");
    }
    return matches.get();
  }

  private static long esper(List<Login> logins) {
    Configuration config = new Configuration();
    config.getCommon().addEventType("Login", Login.class);
    // Esper's documented settings for one sending thread and time taken from the events: no
    // internal timer thread, no runtime or statement locks
    config.getRuntime().getThreading().setInternalTimerEnabled(false);
    config.getRuntime().getExecution().setDisableLocking(true);
    try {
      EPCompiled compiled = EPCompilerProvider.getCompiler().compile(EPL, new CompilerArguments(config));
      EPRuntime runtime = EPRuntimeProvider.getRuntime("nip-bench-cep-" + System.nanoTime(), config);
      try {
        EPDeployment d = runtime.getDeploymentService().deploy(compiled);
        EPStatement st = runtime.getDeploymentService().getStatement(d.getDeploymentId(), "failed_login_sequence");
        AtomicLong matches = new AtomicLong();
        st.addListener((newEvents, oldEvents, statement, rt) -> matches.addAndGet(newEvents == null ? 0 : newEvents.length));
        EventSender sender = runtime.getEventService().getEventSender("Login"); // no type lookup per event
        for (Login l : logins) {
          sender.sendEvent(l);
        }
        return matches.get();
      } finally {
        runtime.destroy();
      }
    } catch (Exception e) {
      throw new IllegalStateException("Esper failed: " + e.getMessage(), e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
