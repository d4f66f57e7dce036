package io.nip.bench.e2e;

import io.nip.pipeline.Guarantee;
import io.nip.serde.Serdes;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip bench}: side-by-side end-to-end runs against a Kafka broker started in a child JVM.
 *
 * <pre>{@code
 * ./nip bench analytics --events 2000000 --repeat 3
 * ./nip bench sessions --events 1000000 --repeat 3
 * ./nip bench latency --rate 50000 --seconds 30
 * ./nip bench restore --keys 1000000 --repeat 3 --state rocksdb
 * ./nip bench chaos analytics --kills 30 --events 200000 --guarantee exactly-once
 * ./nip bench cep --events 1000000
 * ./nip bench join --events 1000000 --keys 100000 --repeat 3
 * ./nip bench connectors --records 200000
 * }</pre>
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Side-by-side runs of NIP, Kafka Streams and a plain consumer on an embedded broker.",
    subcommands = {BenchCommand.Analytics.class, BenchCommand.Sessions.class, BenchCommand.Latency.class, BenchCommand.Restore.class,
        BenchCommand.Chaos.class, BenchCommand.CepPattern.class, BenchCommand.Join.class, ConnectorsBench.class})
public final class BenchCommand implements Runnable {
  @Spec
  CommandSpec spec;

  /**
   * Runs {@code nip bench} on its own; {@code ./nip bench ...} at the repository root does this with
   * the module's shaded jar:
   *
   * <pre>{@code
   * java -cp nip-bench/target/nip-benchmarks.jar io.nip.bench.e2e.BenchCommand analytics --events 500000
   * }</pre>
   *
   * Exit codes: 0 success, 1 the run failed (one line on standard error), 2 bad arguments.
   *
   * @param args the arguments after {@code nip bench}
   */
  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new BenchCommand()).setCommandName("nip bench");
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      cmd.getErr().println("nip bench: error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      cmd.getErr().flush();
      return 1;
    });
    System.exit(cl.execute(args));
  }

  /** Without a benchmark name: print the usage and fail. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing benchmark, e.g. 'nip bench analytics'");
  }

  /** {@code nip bench analytics}: exercise-1 throughput of the limit, NIP and Kafka Streams. */
  @Command(name = "analytics", mixinStandardHelpOptions = true,
      description = "Exercise 1 (bots filtered, 5-minute windows per user) on NIP, Kafka Streams (1 and 2 "
          + "threads) and a plain consumer that only parses; prints records/s and the ratios.")
  static class Analytics implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "2000000", description = "input events (default ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--repeat", defaultValue = "1", description = "rounds, medians reported (default ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--warmup-events", description = "events of the unreported warm-up round (default events/4, "
        + "at least 10,000, at most 500,000)")
    Long warmupEvents;

    @Option(names = "--nip-threads", defaultValue = "2", description = "NIP worker threads (default ${DEFAULT-VALUE})")
    int nipThreads;

    @Option(names = "--json", description = "print one JSON object on standard output")
    boolean json;

    @Option(names = "--state", defaultValue = "memory", converter = StateConverter.class,
        description = "memory or rocksdb: NIP's state backend (rocksdb: a new directory per run, deleted after) and "
            + "Kafka Streams' window store (in memory, or its default RocksDB store); default ${DEFAULT-VALUE}")
    BenchState state;

    @Option(names = "--guarantee", defaultValue = "at-least-once", description = "at-least-once, or exactly-once: "
        + "NIP EXACTLY_ONCE and Kafka Streams exactly_once_v2, each at its default commit interval (100 ms); "
        + "default ${DEFAULT-VALUE}")
    String guarantee;

    @Option(names = "--commit-interval-ms", description = "NIP commitInterval and Kafka Streams commit.interval.ms "
        + "(default: each side's own, 5 s / 30 s at least once, 100 ms / 100 ms exactly once)")
    Long commitIntervalMs;

    @Option(names = "--contenders", split = ",", description = "which to run, comma-separated, of limit, nip, nip-partitioned, "
        + "nip-backpressure, nip-bare (no operator metrics), nip-monitored (Prometheus, health checks, 1 % traced), "
        + "nip-schema, kafka-streams-1t, kafka-streams-2t (default: all but nip-backpressure, nip-bare, nip-monitored "
        + "and nip-schema; a ratio is printed only when both sides ran)")
    List<String> contenders;

    @Option(names = "--validate-schema", description = "also run NIP with each input record checked against "
        + "exercise 1's JSON Schema (contender nip-schema, besides nip) and print the ratio of the two")
    boolean validateSchema;

    @Spec
    CommandSpec spec;

    /** @return the exercise this command runs */
    AnalyticsRuns.Exercise exercise() {
      return AnalyticsRuns.Exercise.ANALYTICS;
    }

    /** @return the contenders it knows, and those it runs by default */
    List<String> known() {
      return AnalyticsBench.CONTENDERS;
    }

    List<String> defaults() {
      return AnalyticsBench.DEFAULT_CONTENDERS;
    }

    @Override
    public Integer call() throws Exception {
      Set<String> chosen = new LinkedHashSet<>(contenders == null ? defaults() : contenders);
      if (validateSchema) {
        if (!known().contains("nip-schema")) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--validate-schema applies to exercise 1 "
              + "(nip bench analytics) only");
        }
        chosen.add("nip");
        chosen.add("nip-schema");
      }
      if (chosen.isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--contenders needs at least one of "
            + known());
      }
      if (!known().containsAll(chosen)) {
        chosen.removeAll(known());
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown contender(s) " + chosen
            + "; choose from " + known());
      }
      if (events < 1 || repeat < 1 || nipThreads < 1 || (commitIntervalMs != null && commitIntervalMs < 1)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--events, --repeat, --nip-threads and --commit-interval-ms must be positive");
      }
      long warmup = warmupEvents != null ? warmupEvents : Math.max(10_000, Math.min(500_000, events / 4));
      Map<String, Object> m = AnalyticsBench.run(
          new AnalyticsBench.Settings(events, repeat, warmup, nipThreads, json, chosen, state,
              exactlyOnce(spec, guarantee), commitIntervalMs == null ? null : Duration.ofMillis(commitIntervalMs),
              exercise()),
          System.err);
      if (json) {
        System.out.println(Serdes.objectMapper().writeValueAsString(m));
      } else {
        AnalyticsBench.print(m, System.out);
      }
      return 0;
    }
  }

  /**
   * {@code nip bench sessions}: exercise-2 throughput of the limit, NIP and Kafka Streams session
   * windows, with the options of {@code nip bench analytics}.
   */
  @Command(name = "sessions", mixinStandardHelpOptions = true,
      description = "Exercise 2 (sessions per user, closed by more than 30 minutes of inactivity, 5 minutes of "
          + "lateness; 100,000 users) on NIP, Kafka Streams session windows (1 and 2 threads; ofInactivityGapAndGrace, "
          + "final results through suppress) and a plain consumer that only parses; prints records/s and the ratios. "
          + "Contenders: limit, nip, kafka-streams-1t, kafka-streams-2t.")
  static final class Sessions extends Analytics {
    @Override
    AnalyticsRuns.Exercise exercise() {
      return AnalyticsRuns.Exercise.SESSIONS;
    }

    @Override
    List<String> known() {
      return AnalyticsBench.SESSION_CONTENDERS;
    }

    @Override
    List<String> defaults() {
      return AnalyticsBench.SESSION_CONTENDERS;
    }
  }

  /**
   * @param spec the command, for the error
   * @param guarantee the value of {@code --guarantee}
   * @return true for exactly-once
   * @throws CommandLine.ParameterException for anything but at-least-once and exactly-once
   */
  static boolean exactlyOnce(CommandSpec spec, String guarantee) {
    switch (guarantee) {
      case "at-least-once": return false;
      case "exactly-once": return true;
      default: throw new CommandLine.ParameterException(spec.commandLine(), "--guarantee must be at-least-once or "
          + "exactly-once, not '" + guarantee + "'");
    }
  }

  /** Reads {@code --state}: "memory" or "rocksdb". */
  static final class StateConverter implements CommandLine.ITypeConverter<BenchState> {
    @Override
    public BenchState convert(String value) {
      for (BenchState s : BenchState.values()) {
        if (s.label().equals(value)) {
          return s;
        }
      }
      throw new CommandLine.TypeConversionException("'" + value + "' is not a state backend; use memory or rocksdb");
    }
  }

  /** {@code nip bench latency}: end-to-end latency of a stateless job on NIP and Kafka Streams. */
  @Command(name = "latency", mixinStandardHelpOptions = true,
      description = "Filter + map at a steady input rate on NIP and on Kafka Streams; prints p50, p99, p99.9 and "
          + "max latency from send to sink.")
  static final class Latency implements Callable<Integer> {
    @Option(names = "--rate", defaultValue = "50000", description = "records per second (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--seconds", defaultValue = "30", description = "measured seconds per contender (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "10", description = "unrecorded seconds first (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--threads", defaultValue = "2", description = "NIP threads and Kafka Streams stream threads "
        + "(default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--commit-interval-ms", description = "NIP commitInterval and Kafka Streams commit.interval.ms "
        + "(default 1000 at least once; under exactly-once each side's own default: 100 ms for both)")
    Long commitIntervalMs;

    @Option(names = "--guarantee", defaultValue = "at-least-once", description = "at-least-once (latency to an "
        + "in-process sink) or exactly-once (NIP EXACTLY_ONCE and Kafka Streams exactly_once_v2 write to a topic; "
        + "latency until a read_committed reader sees the result); default ${DEFAULT-VALUE}")
    String guarantee;

    @Option(names = "--json", description = "print one JSON object on standard output")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (rate < 1 || seconds < 1 || warmupSeconds < 0 || threads < 1 || (commitIntervalMs != null && commitIntervalMs < 1)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--rate, --seconds, --threads and "
            + "--commit-interval-ms must be positive");
      }
      boolean exactlyOnce = exactlyOnce(spec, guarantee);
      Duration interval = commitIntervalMs != null ? Duration.ofMillis(commitIntervalMs)
          : exactlyOnce ? null : Duration.ofSeconds(1);
      Map<String, Object> m = LatencyBench.run(new LatencyBench.Settings(rate, seconds, warmupSeconds, threads,
          interval, exactlyOnce), System.err);
      if (json) {
        System.out.println(Serdes.objectMapper().writeValueAsString(m));
      } else {
        LatencyBench.print(m, System.out);
      }
      return 0;
    }
  }

  /** {@code nip bench restore}: restore time of a keyed job's state onto empty local state, NIP and Kafka Streams. */
  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "A keyed count over N keys (one record per key) on NIP and on Kafka Streams; each is then started "
          + "again with no local state and timed until it has restored its state from the changelog and counted a "
          + "probe record.")
  static final class Restore implements Callable<Integer> {
    @Option(names = "--keys", defaultValue = "1000000", description = "distinct keys (default ${DEFAULT-VALUE})")
    long keys;

    @Option(names = "--repeat", defaultValue = "3", description = "measured restores per side after one warm-up "
        + "restore, medians reported (default ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--threads", defaultValue = "2", description = "NIP threads and Kafka Streams stream threads "
        + "(default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--state", defaultValue = "memory", converter = StateConverter.class,
        description = "memory or rocksdb: NIP's state backend (rocksdb: a new directory per run) and Kafka Streams' "
            + "key-value store (in memory, or its default RocksDB store); default ${DEFAULT-VALUE}")
    BenchState state;

    @Option(names = "--json", description = "print one JSON object on standard output")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (keys < 100 || repeat < 1 || threads < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--keys must be at least 100, --repeat and "
            + "--threads positive");
      }
      Map<String, Object> m = RestoreBench.run(new RestoreBench.Settings(keys, repeat, threads, state), System.err);
      if (json) {
        System.out.println(Serdes.objectMapper().writeValueAsString(m));
      } else {
        RestoreBench.print(m, System.out);
      }
      return 0;
    }
  }

  /** {@code nip bench cep}: the failed-login pattern on NIP (RocksDB or memory state) and Esper, in-process. */
  @Command(name = "cep", mixinStandardHelpOptions = true,
      description = {"The tutorial's failed_login_sequence (3 failed logins within 5 minutes, then a success) over",
          "the same generated logins on NIP (nip-cep, RocksDB or memory state) and Esper (in memory,",
          "match_recognize), in this process, one after the other after a warm-up; prints events/s, the ratio",
          "and the matches of each."})
  static final class CepPattern implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "1000000", description = "logins (default ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--users", defaultValue = "10000", description = "distinct users (default ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--nip-threads", defaultValue = "1", description = "NIP worker threads (default ${DEFAULT-VALUE}, "
        + "as Esper's one sending thread)")
    int nipThreads;

    @Option(names = "--seed", defaultValue = "42", description = "generator seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--state", defaultValue = "rocksdb", converter = StateConverter.class,
        description = "rocksdb or memory: NIP's state backend; default ${DEFAULT-VALUE}")
    BenchState state;

    @Option(names = "--repeat", defaultValue = "3", description = "measured rounds, each NIP then Esper; medians "
        + "reported (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--checkpoint-ms", defaultValue = "1000", description = "NIP's checkpoint interval in ms "
        + "(state and positions to a local directory), 0 for none (default ${DEFAULT-VALUE})")
    long checkpointMs;

    @Option(names = "--json", description = "print one JSON object on standard output")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (checkpointMs < 0 || rounds < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--checkpoint-ms must not be negative, --repeat "
            + "must be positive");
      }
      if (events < 1_000 || users < 1 || nipThreads < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--events must be at least 1000, --users and "
            + "--nip-threads positive");
      }
      Map<String, Object> m = io.nip.bench.cep.CepBench.run(
          new io.nip.bench.cep.CepBench.Settings(events, users, nipThreads, seed, state == BenchState.MEMORY,
              checkpointMs == 0 ? null : java.time.Duration.ofMillis(checkpointMs), rounds), System.err);
      if (json) {
        System.out.println(Serdes.objectMapper().writeValueAsString(m));
      } else {
        io.nip.bench.cep.CepBench.print(m, System.out);
      }
      return 0;
    }
  }

  /** {@code nip bench chaos}: kill-and-restart runs that check a job's guarantee. */
  @Command(name = "chaos", mixinStandardHelpOptions = true,
      description = {"Kill a job with SIGKILL at random moments, restart it, and compare its output with the reference.",
          "Exercises: analytics (exercise 1), sessions (exercise 2). fraud is not available yet."},
      subcommands = {ChaosAnalytics.class, ChaosSessions.class})
  static final class Chaos implements Runnable {
    @Spec
    CommandSpec spec;

    /** Without an exercise: print the usage and fail. */
    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "missing exercise, e.g. 'nip bench chaos analytics'");
    }
  }

  /**
   * The options and the run of every {@code nip bench chaos} exercise: a broker in its own JVM,
   * then {@link ChaosRun} with the subcommand's {@link ChaosExercise}. Picocli reads the options of
   * this superclass for each subcommand.
   */
  abstract static class ChaosCommand implements Callable<Integer> {
    @Option(names = "--kills", defaultValue = "30", description = "SIGKILLs, each followed by a restart "
        + "(default ${DEFAULT-VALUE})")
    int kills;

    @Option(names = "--events", defaultValue = "200000", description = "generated input events (default ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--guarantee", defaultValue = "exactly-once", paramLabel = "at-least-once|exactly-once",
        description = "what the job runs with and what is checked (default ${DEFAULT-VALUE})")
    String guarantee;

    @Option(names = "--seed", description = "seed of the input and the kill moments (default: random, printed)")
    Long seed;

    @Option(names = "--state", defaultValue = "rocksdb", paramLabel = "rocksdb|memory",
        description = "where the job keeps its state: RocksDB in a directory kept across restarts, or memory "
            + "(restored from its Kafka changelogs alone after each kill) (default ${DEFAULT-VALUE})")
    String state;

    @Spec
    CommandSpec spec;

    private final ChaosExercise exercise;

    /** @param exercise the job this subcommand kills and the reference it checks against */
    ChaosCommand(ChaosExercise exercise) {
      this.exercise = exercise;
    }

    @Override
    public Integer call() throws Exception {
      Guarantee g = switch (guarantee.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "at-least-once" -> Guarantee.AT_LEAST_ONCE;
        case "exactly-once" -> Guarantee.EXACTLY_ONCE;
        default -> throw new CommandLine.ParameterException(spec.commandLine(), "--guarantee " + guarantee
            + ": unknown guarantee; use at-least-once or exactly-once");
      };
      if (kills < 0 || events < 1_000) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--kills must be at least 0 and --events at "
            + "least 1000");
      }
      boolean memory = switch (state.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "rocksdb" -> false;
        case "memory" -> true;
        default -> throw new CommandLine.ParameterException(spec.commandLine(), "--state " + state
            + ": unknown state; use rocksdb or memory");
      };
      long s = seed != null ? seed : new java.util.Random().nextLong();
      System.err.printf("chaos: seed %d (rerun with --seed %d)%n", s, s);
      try (BrokerProcess broker = BrokerProcess.start()) {
        ChaosRun.Result r = ChaosRun.run(broker.bootstrapServers(),
            new ChaosRun.Settings(exercise, kills, events, g, s, memory), System.err);
        ChaosRun.print(r, System.out);
        return r.broken() ? 1 : 0;
      }
    }
  }

  /** {@code nip bench chaos analytics}: exercise 1 killed N times, output checked against the reference. */
  @Command(name = "analytics", mixinStandardHelpOptions = true,
      description = {"Broker in its own JVM; N generated events written once with 'nip load'; 'nip run analytics'",
          "(unbounded, 100 ms checkpoints, RocksDB state) in a child JVM killed with SIGKILL at random moments and",
          "restarted with the same group, state directory and instance id, --kills times; then a last bounded run;",
          "then the output topic read read_committed and compared with the windows computed from the input file.",
          "Prints lost, doubled and wrong results. Exit codes: 0 the guarantee held, 1 it was broken (exactly-once:",
          "any lost, doubled or wrong result; at-least-once: any lost or wrong; duplicates are only reported) or",
          "the harness failed, 2 bad arguments."})
  static final class ChaosAnalytics extends ChaosCommand {
    ChaosAnalytics() {
      super(new AnalyticsChaos());
    }
  }

  /** {@code nip bench chaos sessions}: exercise 2 killed N times, output checked against the reference. */
  @Command(name = "sessions", mixinStandardHelpOptions = true,
      description = {"Broker in its own JVM; N generated events (users = N/6, so sessions close all through the",
          "input) written once with 'nip load'; 'nip run sessions' (unbounded, 100 ms checkpoints, RocksDB state)",
          "in a child JVM killed with SIGKILL at random moments and restarted with the same group, state directory",
          "and instance id, --kills times; then a last bounded run; then the output topic read read_committed and",
          "compared with the sessions computed from the input file. Lost: a session missing from the consumer's",
          "final view (last line per session_id, superseded ids dropped). Wrong: a line whose content differs from",
          "its session's. Doubled: a line after the first of its session_id (the input has no late events, so an",
          "uninterrupted run writes one line per session). Exit codes: 0 the guarantee held, 1 it was broken",
          "(exactly-once: any lost, doubled or wrong; at-least-once: any lost or wrong) or the harness failed,",
          "2 bad arguments."})
  static final class ChaosSessions extends ChaosCommand {
    ChaosSessions() {
      super(new SessionsChaos());
    }
  }

  /** {@code nip bench join}: a stream–table join on NIP and Kafka Streams' KStream#join(KTable). */
  @Command(name = "join", mixinStandardHelpOptions = true,
      description = {"Events (exercise 1's generator) joined with a compacted topic of one profile per user, on",
          "the same broker and topics: NIP's as-of join (Joins.left(events).latest(Table.from(profiles)), inner)",
          "and Kafka Streams' stream(events).join(table(profiles)) with 1 and 2 stream threads; checks each output",
          "holds one result per event, the same on every side; prints records/s, the ratio and NIP's join state",
          "per key. Contenders: nip, kafka-streams-1t, kafka-streams-2t."})
  static final class Join implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "1000000", description = "input events (default ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--keys", defaultValue = "100000", description = "profiles, and users of the events "
        + "(default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--repeat", defaultValue = "1", description = "rounds, medians reported (default ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--warmup-events", description = "events of each unreported warm-up run, 0 for none (default "
        + "events/4, at least 10,000, at most 250,000)")
    Long warmupEvents;

    @Option(names = "--warmup-seconds", defaultValue = "30", description = "each contender's JVM repeats warm-up runs "
        + "for this long (wall time), at least one (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--nip-threads", defaultValue = "2", description = "NIP worker threads (default ${DEFAULT-VALUE})")
    int nipThreads;

    @Option(names = "--state", defaultValue = "memory", converter = StateConverter.class,
        description = "memory or rocksdb: NIP's state backend (rocksdb: a new directory per run, deleted after) and "
            + "the KTable's store (in memory, or its default RocksDB store); default ${DEFAULT-VALUE}")
    BenchState state;

    @Option(names = "--contenders", split = ",", description = "which to run, comma-separated, of nip, "
        + "kafka-streams-1t, kafka-streams-2t (default: all)")
    List<String> contenders;

    @Option(names = "--json", description = "print one JSON object on standard output")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Set<String> chosen = new LinkedHashSet<>(contenders == null ? JoinBench.CONTENDERS : contenders);
      if (chosen.isEmpty() || !JoinBench.CONTENDERS.containsAll(chosen)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--contenders: choose from "
            + JoinBench.CONTENDERS);
      }
      if (events < 1 || keys < 1 || repeat < 1 || nipThreads < 1 || (warmupEvents != null && warmupEvents < 0)
          || warmupSeconds < 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--events, --keys, --repeat and --nip-threads "
            + "must be positive, --warmup-events and --warmup-seconds not negative");
      }
      long warmup = warmupEvents != null ? warmupEvents : Math.max(10_000, Math.min(250_000, events / 4));
      Map<String, Object> m = JoinBench.run(new JoinBench.Settings(events, keys, repeat, warmup, warmupSeconds,
          nipThreads, chosen, state), System.err);
      if (json) {
        System.out.println(Serdes.objectMapper().writeValueAsString(m));
      } else {
        JoinBench.print(m, System.out);
      }
      return 0;
    }
  }
}
