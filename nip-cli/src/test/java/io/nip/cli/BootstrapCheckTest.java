package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.kafka.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A malformed {@code --bootstrap-servers}, or one that is not Kafka, is refused in one line with
 * exit code 2 before anything starts; a real broker passes. The unreachable address is checked in
 * {@link AnalyticsProcessTest}, which sees the whole standard error of a child JVM.
 */
class BootstrapCheckTest {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
        .execute(args);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "nohost          | 'nohost' is not HOST:PORT (e.g. localhost:9092)",
      "host:notaport   | the port 'notaport' of 'host:notaport' is not a number from 1 to 65535",
      "localhost:70000 | the port '70000' of 'localhost:70000' is not a number from 1 to 65535",
      ":9092           | ':9092' is not HOST:PORT (e.g. localhost:9092)",
      "no-such-host.invalid:9092 | unknown host no-such-host.invalid"})
  void when_bootstrap_servers_are_malformed_or_unknown_then_one_line_names_them_and_the_exit_code_is_2(
      String servers, String cause) {
    // Given
    long start = System.nanoTime();

    // When
    int code = run("demo", "analytics", "--bootstrap-servers", servers);

    // Then
    assertThat(code).as(err.toString()).isEqualTo(NipCommand.EXIT_USAGE);
    assertThat(err.toString().lines().toList()).containsExactly("nip: --bootstrap-servers " + servers + ": " + cause);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void when_a_server_accepts_connections_but_is_not_kafka_then_one_line_says_so_within_ten_seconds() throws Exception {
    // Given: a server that accepts and never answers
    try (ServerSocket silent = new ServerSocket(0)) {
      Thread acceptor = new Thread(() -> {
        try (Socket s = silent.accept()) {
          Thread.sleep(60_000);
        } catch (Exception e) {
          // closed by the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String servers = "127.0.0.1:" + silent.getLocalPort();
      long start = System.nanoTime();

      // When
      int code = run("demo", "analytics", "--bootstrap-servers", servers);

      // Then
      assertThat(code).as(err.toString()).isEqualTo(NipCommand.EXIT_USAGE);
      assertThat(err.toString().lines().toList()).containsExactly("nip: --bootstrap-servers " + servers + ": "
          + servers + " accepted a connection but gave no Kafka answer within 8 s");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void when_a_kafka_broker_answers_then_the_demo_runs_on_it() {
    // Given
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // When
      int code = run("demo", "analytics", "--bootstrap-servers", "localhost:9," + kafka.bootstrapServers(),
          "--events", "2000");

      // Then: the dead first entry is passed over, the live one used
      assertThat(code).as(err.toString()).isZero();
      assertThat(err.toString()).contains("Kafka localhost:9," + kafka.bootstrapServers()).containsPattern(
          "(?m)^  events in +2,000$");
    }
  }
}
