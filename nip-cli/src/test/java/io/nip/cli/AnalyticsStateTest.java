package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.state.redis.EmbeddedRedis;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code nip demo analytics --state memory|rocksdb|redis}: how the options combine, what is refused
 * and why, and that the demo gives the same results on every backend.
 */
class AnalyticsStateTest {
  private static final List<String> COUNTS = List.of("events in", "bots filtered", "bad lines", "late events",
      "windows out");

  @TempDir
  static Path dir;

  /** The run on the in-memory backend the other backends are compared with. */
  private static Run memory;
  private static EmbeddedRedis redis;

  private record Run(int exitCode, String err, Map<String, Long> counts, List<String> windows) {}

  private static Run run(String... args) {
    StringWriter err = new StringWriter();
    int code = NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
        .execute(args);
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String label : COUNTS) {
      Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +([0-9,]+)$").matcher(err.toString());
      if (m.find()) {
        counts.put(label, Long.parseLong(m.group(1).replace(",", "")));
      }
    }
    return new Run(code, err.toString(), counts, List.of());
  }

  /** Runs the demo over 20,000 generated events with {@code stateArgs}, writing the windows to a file. */
  private static Run demo(String name, String... stateArgs) throws IOException {
    Path out = dir.resolve(name + "-windows.jsonl");
    String[] args = Stream.concat(Stream.of("demo", "analytics", "--events", "20000", "--seed", "7",
        "--output", out.toString()), Stream.of(stateArgs)).toArray(String[]::new);
    Run r = run(args);
    assertThat(r.exitCode()).as("exit code; standard error:%n%s", r.err()).isZero();
    return new Run(r.exitCode(), r.err(), r.counts(), Files.readAllLines(out).stream().sorted().toList());
  }

  @BeforeAll
  static void runOnMemory() throws IOException {
    memory = demo("memory");
    assertThat(memory.err()).contains("state backend    memory");
    assertThat(memory.counts()).containsEntry("events in", 20_000L).containsKey("windows out");
    assertThat(memory.windows()).hasSize(memory.counts().get("windows out").intValue());
  }

  // ---- parsing and resolution ----

  @Test
  void the_options_parse_into_the_command() {
    AnalyticsCommand cmd = new AnalyticsCommand();
    new CommandLine(cmd).parseArgs("--state", "rocksdb", "--state-dir", "/tmp/s", "--events", "5");

    assertThat(cmd.state).isEqualTo("rocksdb");
    assertThat(cmd.stateDir).isEqualTo(Path.of("/tmp/s"));
    assertThat(cmd.redisUri).isNull();
  }

  @Test
  void without_state_the_backend_follows_the_other_options() {
    assertThat(StateOption.resolve(null, null, null)).isEqualTo("memory");
    assertThat(StateOption.resolve(null, Path.of("s"), null)).isEqualTo("rocksdb");
    assertThat(StateOption.resolve(null, null, "redis://h:6379")).isEqualTo("redis");
    assertThat(StateOption.resolve("RocksDB", Path.of("s"), null)).isEqualTo("rocksdb");
    assertThat(StateOption.resolve("redis", null, null)).isEqualTo("redis"); // redis://localhost:6379
    assertThat(StateOption.resolve("memory", null, null)).isEqualTo("memory");
  }

  @Test
  void passwords_never_appear_in_messages() {
    assertThat(StateOption.redacted("redis://:s3cret@host:6379/2")).isEqualTo("redis://:***@host:6379/2");
    assertThat(StateOption.redacted("rediss://app:s3cret@host:6380")).isEqualTo("rediss://app:***@host:6380");
    assertThat(StateOption.redacted("redis://s3cret@host")).isEqualTo("redis://***@host");
    assertThat(StateOption.redacted("redis://host:6379")).isEqualTo("redis://host:6379");
  }

  // ---- refused combinations and settings (exit code 2, the option named) ----

  @Test
  void when_the_state_is_unknown_then_the_known_ones_are_named() {
    Run r = run("demo", "analytics", "--state", "files");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--state files: unknown state backend; use memory, rocksdb or redis");

    r = run("demo", "analytics", "--state", "cassandra");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--state cassandra: not supported yet");
  }

  @Test
  void when_an_option_belongs_to_another_backend_then_it_is_refused() {
    Run r = run("demo", "analytics", "--state", "memory", "--state-dir", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--state-dir is for --state rocksdb, not with --state memory");

    r = run("demo", "analytics", "--state", "redis", "--state-dir", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--state-dir is for --state rocksdb, not with --state redis");

    r = run("demo", "analytics", "--state", "rocksdb", "--state-dir", dir.toString(), "--redis-uri", "redis://h");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--redis-uri is for --state redis, not with --state rocksdb");

    r = run("demo", "analytics", "--state-dir", dir.toString(), "--redis-uri", "redis://h");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--state-dir (rocksdb) and --redis-uri (redis) exclude each other");

    r = run("demo", "analytics", "--state", "rocksdb");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--state rocksdb needs --state-dir DIR");
  }

  @Test
  void when_the_state_dir_is_no_directory_then_the_reason_is_given() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");

    Run r = run("demo", "analytics", "--state-dir", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--state-dir " + file + ": Not a directory");

    r = run("demo", "analytics", "--state-dir", file.resolve("below").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--state-dir " + file.resolve("below") + ": Not a directory");
  }

  @Test
  void when_the_state_dir_is_not_writable_then_the_reason_is_given() throws Exception {
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      Run r;
      if (Files.isWritable(readOnly)) {
        // root may write anywhere: run the command in a child JVM under 'unshare -U', a user namespace
        // where it keeps uid 0 as the files' owner (it reads the class path) but has no capability
        // over them, so the read-only directory is read-only for it too
        r = runUnprivileged("demo", "analytics", "--state-dir", readOnly.toString());
      } else {
        r = run("demo", "analytics", "--state-dir", readOnly.toString());
      }

      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("--state-dir " + readOnly + ": Permission denied");
    } finally {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /**
   * Runs {@code nip} with {@code args} in a child JVM under {@code unshare -U} (util-linux; needs user
   * namespaces): the way a root build checks what an ordinary user would meet.
   */
  private static Run runUnprivileged(String... args) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of("unshare", "-U", javaBin, "-cp",
        System.getProperty("java.class.path"), NipCommand.class.getName()));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("this build runs as root, so the test needs 'unshare -U' (util-linux) to "
          + "run the command as an unprivileged user: " + e.getMessage(), e);
    }
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("the child ended: %s", out).isTrue();
    assertThat(out).as("'unshare -U' works here (user namespaces enabled)").doesNotContain("unshare: ");
    return new Run(p.exitValue(), out, Map.of(), List.of());
  }

  @Test
  void when_no_redis_server_answers_then_the_message_names_the_uri() throws IOException {
    String uri = "redis://:s3cret@127.0.0.1:" + closedPort();

    Run r = run("demo", "analytics", "--state", "redis", "--redis-uri", uri);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--redis-uri " + StateOption.redacted(uri) + ": no Redis server reachable there")
        .doesNotContain("s3cret");
  }

  @Test
  void when_the_redis_uri_is_malformed_then_it_is_refused() {
    Run r = run("demo", "analytics", "--redis-uri", "http://h:6379");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--redis-uri http://h:6379: not a Redis URI");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  // ---- the demo on each backend ----

  @Test
  void when_the_state_is_in_rocksdb_then_the_results_equal_those_in_memory() throws IOException {
    Path stateDir = dir.resolve("rocks");

    Run rocks = demo("rocksdb", "--state", "rocksdb", "--state-dir", stateDir.toString());

    assertThat(rocks.err()).contains("state backend    rocksdb in " + stateDir.toAbsolutePath());
    assertThat(rocks.counts()).isEqualTo(memory.counts());
    assertThat(rocks.windows()).isEqualTo(memory.windows());
    try (Stream<Path> tasks = Files.list(stateDir.resolve("analytics_pipeline"))) {
      assertThat(tasks).as("one database directory per task").isNotEmpty();
    }

    // a second run in the same directory starts from empty state: same results again
    Run again = demo("rocksdb-again", "--state-dir", stateDir.toString());
    assertThat(again.counts()).isEqualTo(memory.counts());
    assertThat(again.windows()).isEqualTo(memory.windows());
  }

  @AfterAll
  static void stopRedis() throws IOException {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void when_the_state_is_in_redis_then_the_results_equal_those_in_memory() throws IOException {
    redis = EmbeddedRedis.start();

    Run r = demo("redis", "--state", "redis", "--redis-uri", redis.uri());

    assertThat(r.err()).contains("state backend    redis at " + redis.uri() + ", keys under nip-demo-analytics-");
    assertThat(r.counts()).isEqualTo(memory.counts());
    assertThat(r.windows()).isEqualTo(memory.windows());
  }
}
