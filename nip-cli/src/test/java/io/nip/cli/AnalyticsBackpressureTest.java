package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferManager;
import io.nip.backpressure.RateLimiter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The backpressure options of {@code nip demo analytics} and {@code nip run analytics}
 * ({@link BackpressureOptions}): shown in the help, parsed into the job's buffer and rate limit,
 * bad values refused with the option's name, and runs on the embedded broker whose counts add up.
 */
class AnalyticsBackpressureTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(out, true))
        .execute(args);
  }

  private long number(String label) {
    Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +([0-9,]+)$").matcher(err.toString());
    assertThat(m.find()).as("summary row '%s' in:%n%s", label, err).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void the_help_of_both_analytics_commands_shows_the_backpressure_options() {
    for (String command : new String[] {"demo", "run"}) {
      out.getBuffer().setLength(0);

      assertThat(run(command, "analytics", "--help")).isZero();

      assertThat(out.toString()).as("nip %s analytics --help", command)
          .contains("--buffer-size=N", "--overflow=block|drop-oldest|drop-newest", "--rate-limit=EVENTS/S",
              "--burst=N", "Backpressure:");
    }
  }

  @Test
  void the_options_parse_into_a_buffer_manager_and_a_rate_limiter() {
    AnalyticsCommand cmd = new AnalyticsCommand();
    new CommandLine(cmd).parseArgs("--buffer-size", "5000", "--overflow", "DROP_oldest", "--rate-limit", "2500.5",
        "--burst", "100");

    cmd.backpressure.validate();
    BufferManager buffer = cmd.backpressure.buffer();
    RateLimiter limiter = cmd.backpressure.limiter();
    assertThat(buffer.maxSize()).isEqualTo(5000);
    assertThat(buffer.overflow()).isEqualTo(BackpressureStrategy.DROP_OLDEST);
    assertThat(limiter.maxRate()).isEqualTo(2500.5);
    assertThat(limiter.burstSize()).isEqualTo(100);
    assertThat(cmd.backpressure.description())
        .isEqualTo("buffer 5,000 per partition, drop-oldest; rate limit 2,500.500 events/s, burst 100");
  }

  @Test
  void without_options_there_is_no_buffer_and_no_limit_and_the_defaults_fill_in_what_is_missing() {
    RunAnalyticsCommand none = new RunAnalyticsCommand();
    new CommandLine(none).parseArgs("--bootstrap-servers", "localhost:9092");
    assertThat(none.backpressure.buffer()).isNull();
    assertThat(none.backpressure.limiter()).isNull();
    assertThat(none.backpressure.description()).isEqualTo("none");

    RunAnalyticsCommand some = new RunAnalyticsCommand();
    new CommandLine(some).parseArgs("--bootstrap-servers", "localhost:9092", "--buffer-size", "10",
        "--rate-limit", "250");
    assertThat(some.backpressure.buffer().overflow()).isEqualTo(BackpressureStrategy.BLOCK);
    assertThat(some.backpressure.limiter().burstSize()).isEqualTo(250); // one second's worth
    assertThat(some.backpressure.drops()).isFalse();
  }

  @Test
  void when_a_value_is_bad_then_the_exit_code_is_2_and_the_message_names_the_option() {
    String[][] cases = {
        {"--overflow", "sideways", "Invalid value for option '--overflow'",
            "'sideways' is not an overflow strategy; use block, drop-oldest or drop-newest"},
        {"--buffer-size", "0", "--buffer-size must be between 1 and 10000000 records, but was 0", "Usage:"},
        {"--buffer-size", "lots", "Invalid value for option '--buffer-size'", "'lots' is not an int"},
        {"--rate-limit", "0", "--rate-limit must be between 0.001 and 1e9 events per second, but was 0.0", "Usage:"},
        {"--rate-limit", "fast", "Invalid value for option '--rate-limit'", "'fast' is not a double"},
    };
    for (String[] c : cases) {
      for (String command : new String[] {"demo", "run"}) {
        err.getBuffer().setLength(0);

        int code = command.equals("demo") ? run("demo", "analytics", c[0], c[1])
            : run("run", "analytics", "--bootstrap-servers", "127.0.0.1:1", c[0], c[1]);

        assertThat(code).as("%s analytics %s %s: %s", command, c[0], c[1], err).isEqualTo(2);
        assertThat(err.toString()).as("%s analytics %s %s", command, c[0], c[1]).contains(c[2], c[3]);
      }
    }
  }

  @Test
  void when_an_option_lacks_the_one_it_belongs_to_then_the_message_says_which() {
    assertThat(run("demo", "analytics", "--overflow", "drop-newest")).isEqualTo(2);
    assertThat(err.toString()).contains("--overflow drop-newest needs --buffer-size N");

    assertThat(run("demo", "analytics", "--rate-limit", "100", "--burst", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--burst must be between 1 and 1000000 events, but was 0");

    assertThat(run("run", "analytics", "--bootstrap-servers", "127.0.0.1:1", "--burst", "5")).isEqualTo(2);
    assertThat(err.toString()).contains("--burst 5 needs --rate-limit EVENTS/S");
  }

  @Test
  void when_the_buffer_blocks_behind_a_rate_limit_then_every_event_reaches_the_windows() {
    int code = run("demo", "analytics", "--events", "5000", "--seed", "7", "--buffer-size", "100",
        "--overflow", "block", "--rate-limit", "20000", "--burst", "1000");

    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    assertThat(err.toString()).contains("backpressure     buffer 100 per partition, block; rate limit 20,000 events/s,"
        + " burst 1,000");
    assertThat(number("events in")).isEqualTo(5_000);
    assertThat(err.toString()).doesNotContain("dropped (buffer)");
  }

  @Test
  void when_the_buffer_drops_behind_a_rate_limit_then_dropped_and_processed_add_up_to_the_input() {
    int code = run("demo", "analytics", "--events", "20000", "--seed", "7", "--buffer-size", "50",
        "--overflow", "drop-oldest", "--rate-limit", "5000", "--burst", "50");

    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    long dropped = number("dropped (buffer)");
    assertThat(dropped).isPositive();
    assertThat(number("events in") + dropped).isEqualTo(20_000);
  }
}
