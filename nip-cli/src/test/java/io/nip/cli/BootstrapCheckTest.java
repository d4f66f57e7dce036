package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A malformed {@code --bootstrap-servers} is refused in one line with exit code 2 before anything
 * starts. The unreachable address is checked in {@link AnalyticsProcessTest}, which sees the whole
 * standard error of a child JVM.
 */
class BootstrapCheckTest {
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
    StringWriter err = new StringWriter();
    long start = System.nanoTime();

    // When
    int code = NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
        .execute("demo", "analytics", "--bootstrap-servers", servers);

    // Then
    assertThat(code).as(err.toString()).isEqualTo(NipCommand.EXIT_USAGE);
    assertThat(err.toString().lines().toList()).containsExactly("nip: --bootstrap-servers " + servers + ": " + cause);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
