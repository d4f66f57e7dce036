package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nip demo analytics} as a user runs it: in a child JVM (the CLI's main class, its logging
 * configuration, its own {@code java.io.tmpdir}), with what it writes to standard error, its exit
 * code, and signals sent to it.
 */
class AnalyticsProcessTest {
  @TempDir
  Path tmp;

  @Test
  void when_the_demo_runs_then_standard_error_has_the_summary_and_no_kafka_warning() throws Exception {
    // Given / When: a normal run on the embedded broker
    Process p = start("demo", "analytics", "--events", "20000");
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the demo ends").isTrue();

    // Then
    String err = stderr();
    assertThat(p.exitValue()).as(err).isZero();
    assertThat(err).contains("nip demo analytics: generator (20,000 events", "windows out")
        .doesNotContain(" WARN ", " ERROR ");
    assertThat(brokerDirectories()).as("the broker's directory is removed").isEmpty();
  }

  @Test
  void when_sigterm_arrives_while_processing_then_the_pipeline_stops_the_broker_is_removed_and_the_exit_code_is_130()
      throws Exception {
    // Given: a run long enough to be caught while processing; a changelog topic exists once it processes
    Process p = start("demo", "analytics", "--events", "1000000", "--threads", "1");
    awaitPath(p, path -> path.getFileName().toString().contains("changelog"), Duration.ofSeconds(120));

    // When
    long signalled = System.nanoTime();
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the demo stops").isTrue();

    // Then: one line says where and how far; the broker's temporary directory is gone
    String err = stderr();
    assertThat(p.exitValue()).as(err).isEqualTo(130);
    assertThat(err.lines().filter(l -> l.startsWith("nip: ")).toList()).as(err).singleElement().asString()
        .matches("nip: interrupted while processing: [0-9,]+ of 1,000,000 events read, [0-9,]+ windows written");
    assertThat(err).doesNotContain("windows out", " WARN ", " ERROR ");
    assertThat(brokerDirectories()).as("the broker's directory is removed").isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void when_sigterm_arrives_while_the_broker_starts_then_the_broker_is_removed_and_the_exit_code_is_130()
      throws Exception {
    // Given: the broker's directory exists, the topics do not yet
    Process p = start("demo", "analytics", "--events", "20000");
    awaitPath(p, path -> path.getFileName().toString().startsWith("nip-kafka-"), Duration.ofSeconds(60));

    // When
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the demo stops").isTrue();

    // Then
    String err = stderr();
    assertThat(p.exitValue()).as(err).isEqualTo(130);
    assertThat(err).containsPattern("(?m)^nip: interrupted while (starting the embedded broker|creating the topics)$")
        .doesNotContain(" WARN ");
    assertThat(brokerDirectories()).as("the broker's directory is removed").isEmpty();
  }

  @Test
  void when_nobody_listens_at_bootstrap_servers_then_one_line_names_the_address_and_the_exit_code_is_2()
      throws Exception {
    // Given: a local port nobody listens on
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }

    // When
    long start = System.nanoTime();
    Process p = start("demo", "analytics", "--bootstrap-servers", "127.0.0.1:" + port);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    // Then: exactly one line, no client warnings, well within ten seconds of the JVM's start
    String err = stderr();
    assertThat(p.exitValue()).as(err).isEqualTo(2);
    assertThat(err.lines().toList()).as(err).containsExactly(
        "nip: --bootstrap-servers 127.0.0.1:" + port + ": cannot connect: Connection refused");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  private Process start(String... args) throws IOException {
    Files.createDirectories(tmp.resolve("java-tmp"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Djava.io.tmpdir=" + tmp.resolve("java-tmp"), "-cp", System.getProperty("java.class.path"),
        NipCommand.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectOutput(tmp.resolve("stdout.txt").toFile())
        .redirectError(tmp.resolve("stderr.txt").toFile()).start();
  }

  private String stderr() throws IOException {
    return Files.readString(tmp.resolve("stderr.txt"));
  }

  private List<Path> brokerDirectories() throws IOException {
    try (Stream<Path> s = Files.list(tmp.resolve("java-tmp"))) {
      return s.filter(d -> d.getFileName().toString().startsWith("nip-kafka-")).toList();
    }
  }

  /** Waits until a file or directory under the child's temporary directory matches. */
  private void awaitPath(Process p, Predicate<Path> match, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      assertThat(p.isAlive()).as("the demo still runs: %s", stderr()).isTrue();
      try (Stream<Path> s = Files.walk(tmp.resolve("java-tmp"))) {
        if (s.anyMatch(match)) {
          return;
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        // a directory vanished while listing: look again
      }
      assertThat(System.nanoTime()).as("waited %s; %s", timeout, stderr()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
