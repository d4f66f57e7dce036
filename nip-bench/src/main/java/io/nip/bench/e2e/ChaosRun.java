package io.nip.bench.e2e;

import io.nip.cli.NipCommand;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.pipeline.Guarantee;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The chaos harness of the exercises: the job ({@code nip run analytics} or {@code nip run
 * sessions}, see {@link ChaosExercise}) runs in a child JVM over a topic written once by
 * {@code nip load}, and is killed with SIGKILL at random moments and started again (same group,
 * state directory and instance id) N times; a last, bounded run reads to the end; the output topic
 * is then read {@code read_committed} and compared with the exercise's reference, computed from the
 * input file without the engine ({@link AnalyticsChaos}, {@link SessionsChaos}).
 *
 * <p>Design. Where a kill lands: kill {@code i} of {@code N} waits until the group has committed a
 * random share of the input, uniform in {@code [i, i + 1) / (N + 1)} (times 0.9, since under
 * at-least-once the offsets of windows or sessions still open are never committed by an unbounded
 * run), so the
 * kills spread over the whole input whatever the machine's speed; then a further random 0–250 ms,
 * so that with 100 ms checkpoints the kill falls anywhere in the checkpoint cycle: while records are
 * processed, while a checkpoint's barrier flows, while its transaction commits. A child that has not
 * reached its share within 30 s is killed all the same. The engine offers no hook that tells the
 * harness when a commit is in progress, so kills are not aimed at commits; each kill reports the
 * time since the group's committed offsets last moved, which shows where in the cycle it fell.
 * Before the last run the harness waits until the killed members left the group (their session
 * timeout is set to 6 s), so the bounded run owns every partition.
 *
 * <p>Threading: one thread (the caller's); the children are separate processes whose output goes
 * to log files in the work directory, kept when the guarantee was broken or a run failed.
 */
final class ChaosRun {
  /** Records of the output listed per kind in the report. */
  static final int SHOWN = 5;
  private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration FINAL_TIMEOUT = Duration.ofMinutes(5);

  /**
   * What to run.
   *
   * @param exercise the job and its reference
   * @param kills SIGKILLs, each followed by a restart
   * @param events generated input events
   * @param guarantee the guarantee the job runs with and the comparison checks
   * @param seed drives the generator and the kill moments
   * @param memoryState the job keeps its state in memory (restored from its Kafka changelogs alone
   *     after a kill) instead of RocksDB in a state directory kept across restarts
   */
  record Settings(ChaosExercise exercise, int kills, long events, Guarantee guarantee, long seed,
      boolean memoryState) {
    /** With RocksDB state. */
    Settings(ChaosExercise exercise, int kills, long events, Guarantee guarantee, long seed) {
      this(exercise, kills, events, guarantee, seed, false);
    }
  }

  /**
   * What happened.
   *
   * @param settings what ran
   * @param comparison the output against the reference
   * @param killReports one line per kill
   * @param elapsed the whole harness run
   * @param workDir the work directory (deleted when the guarantee held)
   */
  record Result(Settings settings, ChaosExercise.Comparison comparison, List<String> killReports,
      Duration elapsed, Path workDir) {
    /** @return whether the guarantee asked for was broken: exactly-once any lost/doubled/wrong, at-least-once any lost/wrong */
    boolean broken() {
      ChaosExercise.Comparison c = comparison;
      boolean lostOrWrong = !c.lost().isEmpty() || !c.wrong().isEmpty();
      return settings.guarantee() == Guarantee.EXACTLY_ONCE ? lostOrWrong || !c.doubled().isEmpty() : lostOrWrong;
    }
  }

  private final String servers;
  private final Settings s;
  private final PrintStream progress;
  private final Path dir;
  private final String id;
  private final SplittableRandom random;

  private ChaosRun(String servers, Settings s, PrintStream progress) throws IOException {
    this.servers = servers;
    this.s = s;
    this.progress = progress;
    this.dir = Files.createTempDirectory("nip-chaos-");
    this.random = new SplittableRandom(s.seed());
    this.id = spelled(s.guarantee()) + "-" + Long.toHexString(System.nanoTime());
  }

  /**
   * Runs the harness on a broker that is already running.
   *
   * @param servers the broker
   * @param s what to run
   * @param progress where progress lines go
   * @return the comparison and the kills
   * @throws IOException when the work directory or a child cannot be created
   * @throws InterruptedException when interrupted while waiting
   * @throws IllegalStateException when the load, a child's start or the last run fails (names the log)
   */
  static Result run(String servers, Settings s, PrintStream progress) throws IOException, InterruptedException {
    ChaosRun r = new ChaosRun(servers, s, progress);
    long t0 = System.nanoTime();
    List<byte[]> lines = new ArrayList<>();
    Path input = r.writeInput(lines);
    r.load(input);
    List<String> kills = new ArrayList<>();
    for (int i = 0; i < s.kills(); i++) {
      kills.add(r.killOnce(i));
      progress.println("chaos: " + kills.get(i));
    }
    r.awaitNoMembers();
    r.finalRun();
    ChaosExercise.Comparison c = s.exercise().compare(lines, r.readOutput());
    Result result = new Result(s, c, kills, Duration.ofNanos(System.nanoTime() - t0), r.dir);
    if (!result.broken()) {
      r.deleteWorkDir();
    }
    return result;
  }

  private static String spelled(Guarantee g) {
    return g.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private String topic(String role) {
    return "chaos-" + id + "-" + role;
  }

  private String group() {
    return "chaos-" + id;
  }

  /** Writes the generated input to a file in the work directory, and each line's bytes to {@code lines}. */
  private Path writeInput(List<byte[]> lines) throws IOException {
    Path input = dir.resolve("events.jsonl");
    UserEventFeed.generate(s.exercise().input(s.events(), s.seed()), (k, v) -> lines.add(v));
    Files.write(input, lines.stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList());
    return input;
  }

  /** {@code nip load}, in this JVM. */
  private void load(Path input) {
    StringWriter out = new StringWriter();
    int code = NipCommand.commandLine().setErr(new PrintWriter(out, true)).setOut(new PrintWriter(out, true))
        .execute("load", "--topic", topic("in"), "--input", input.toString(), "--bootstrap-servers", servers);
    if (code != 0) {
      throw new IllegalStateException("nip load exited with " + code + ": " + out);
    }
    progress.printf("chaos: loaded %,d events into %s%n", s.events(), topic("in"));
  }

  private Process start(String name, boolean bounded) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        NipCommand.class.getName(), "run", s.exercise().job(), "--bootstrap-servers", servers, "--group", group(),
        "--instance-id", "chaos", "--guarantee", spelled(s.guarantee()), "--commit-interval", "100ms",
        "--threads", "2",
        "--input-topic", topic("in"), "--output-topic", topic("out"), "--dlq-topic", topic("dlq"),
        "--consumer-property", "session.timeout.ms=6000", "--consumer-property", "heartbeat.interval.ms=1000"));
    if (s.memoryState()) {
      cmd.addAll(List.of("--state", "memory"));
    } else {
      cmd.addAll(List.of("--state-dir", dir.resolve("state").toString()));
    }
    if (bounded) {
      cmd.add("--bounded");
    }
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(name).toFile()).start();
  }

  private Path log(String name) {
    return dir.resolve(name + ".log");
  }

  private String killOnce(int i) throws IOException, InterruptedException {
    Process child = start("run-" + i, false);
    long t0 = System.nanoTime();
    awaitStarted(child, "run-" + i);
    double share = 0.9 * (i + random.nextDouble()) / (s.kills() + 1);
    long target = (long) (share * s.events());
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      long deadline = System.nanoTime() + PROGRESS_TIMEOUT.toNanos();
      long committed = committed(admin);
      long lastMove = System.nanoTime();
      while (committed < target && System.nanoTime() < deadline && child.isAlive()) {
        Thread.sleep(20);
        long now = committed(admin);
        if (now != committed) {
          committed = now;
          lastMove = System.nanoTime();
        }
      }
      Thread.sleep(random.nextInt(250));
      if (!child.isAlive()) {
        throw new IllegalStateException("run " + i + " ended by itself with exit code " + child.exitValue()
            + " before it was killed; see " + log("run-" + i) + ":\n" + tail(log("run-" + i)));
      }
      long sinceCommit = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastMove);
      child.destroyForcibly(); // SIGKILL
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("run " + i + " did not die within 30 s of SIGKILL");
      }
      return String.format("kill %d: %.2f s after start, %,d of %,d records committed (aimed at %,d), "
          + "%d ms after the committed offsets last moved", i + 1, (System.nanoTime() - t0) / 1e9, committed,
          s.events(), target, sinceCommit);
    }
  }

  private void awaitStarted(Process child, String name) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log(name)) && Files.readString(log(name), StandardCharsets.ISO_8859_1).contains(s.exercise().startedLine())) {
        return;
      }
      if (!child.isAlive()) {
        throw new IllegalStateException(name + " exited with " + child.exitValue() + " before its job started; see "
            + log(name) + ":\n" + tail(log(name)));
      }
      Thread.sleep(20);
    }
    child.destroyForcibly();
    throw new IllegalStateException(name + " did not start its job within " + START_TIMEOUT.toSeconds() + " s");
  }

  /** @return the input records the group has committed, over all partitions */
  private long committed(Admin admin) throws InterruptedException {
    try {
      Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group())
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return m.entrySet().stream().filter(e -> e.getKey().topic().equals(topic("in")) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset()).sum();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return 0; // no commit yet, or the coordinator is moving: try again
    }
  }

  /** Waits until the killed members' sessions timed out, so that the last run gets every partition. */
  private void awaitNoMembers() throws InterruptedException {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        try {
          if (admin.describeConsumerGroups(List.of(group())).describedGroups().get(group()).get().members().isEmpty()) {
            return;
          }
        } catch (ExecutionException e) {
          return; // no such group: nobody joined
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("members of " + group() + " still listed 60 s after the last kill");
    }
  }

  private void finalRun() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process last = start("final", true);
    if (!last.waitFor(FINAL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      last.destroyForcibly();
      throw new IllegalStateException("the last, bounded run did not end within " + FINAL_TIMEOUT.toMinutes()
          + " min; see " + log("final"));
    }
    if (last.exitValue() != 0) {
      throw new IllegalStateException("the last, bounded run exited with " + last.exitValue() + "; see " + log("final")
          + ":\n" + tail(log("final")));
    }
    progress.printf("chaos: last bounded run done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  /** @return every value in the output topic, as a {@code read_committed} consumer sees it, in partition order */
  private List<byte[]> readOutput() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<byte[]> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic("out"), Duration.ofSeconds(30))
          .forEach(p -> tps.add(new TopicPartition(topic("out"), p.partition())));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic("out") + " did not reach its end " + ends);
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private void deleteWorkDir() throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Prints the report: the kills, the counts, the first few lost, doubled and wrong results, and
   * the verdict.
   *
   * @param r the result
   * @param out where to print
   */
  static void print(Result r, PrintStream out) {
    ChaosExercise.Comparison c = r.comparison();
    Settings st = r.settings();
    out.printf("nip bench chaos %s: %d kills, %,d events, %s, state %s, seed %d, %.1f s%n", st.exercise().job(),
        st.kills(), st.events(), spelled(st.guarantee()), st.memoryState() ? "memory" : "rocksdb", st.seed(),
        r.elapsed().toNanos() / 1e9);
    out.printf("  %-18s %,12d%n", "expected " + c.unit(), c.expected());
    out.printf("  %-18s %,12d  (read_committed)%n", "output records", c.outputs());
    out.printf("  %-18s %,12d%n", "lost", c.lost().size());
    out.printf("  %-18s %,12d%s%n", "doubled", c.doubled().size(),
        st.guarantee() == Guarantee.AT_LEAST_ONCE ? "  (allowed under at-least-once)" : "");
    out.printf("  %-18s %,12d%n", "wrong", c.wrong().size());
    c.lost().stream().limit(SHOWN).forEach(k -> out.println("  lost:    " + k));
    c.doubled().stream().limit(SHOWN).forEach(d -> out.println("  doubled: " + d));
    c.wrong().stream().limit(SHOWN).forEach(w -> out.println("  wrong:   " + w));
    out.println(r.broken() ? "  verdict: " + spelled(st.guarantee()) + " BROKEN; logs in " + r.workDir()
        : "  verdict: " + spelled(st.guarantee()) + " held");
    out.flush();
  }
}
