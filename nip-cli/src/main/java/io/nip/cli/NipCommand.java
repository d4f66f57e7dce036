package io.nip.cli;

import io.nip.errors.NipException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code nip} command. Subcommands: {@code demo analytics} (an end-to-end demo that loads its
 * input), {@code load} (a file's lines into a topic), {@code run analytics} (the job over existing
 * topics, resumable), {@code dashboard} (the live dashboard of a running pipeline, from its
 * Prometheus endpoint), and {@code bench} when the
 * benchmarks are on the class path (see {@link BenchPlaceholder}). Exit codes: 0 success, 1 the run
 * failed, 2 bad arguments or files (an unusable {@code --bootstrap-servers} too), 3 the run completed
 * but more input lines were bad than {@code --max-bad-lines} allows, or every line was bad ({@link
 * AnalyticsCommand#EXIT_BAD_INPUT}), 130 stopped by Ctrl-C or SIGTERM.
 *
 * <pre>{@code
 * ./nip demo analytics --events 1000000
 * ./nip demo analytics --input events.jsonl --output kept.jsonl --dlq-output bad.jsonl
 * ./nip demo analytics --state-dir /tmp/nip-state
 * ./nip load --topic user-events --input events.jsonl --bootstrap-servers localhost:9092
 * ./nip run analytics --bootstrap-servers localhost:9092 --guarantee exactly-once --state-dir /tmp/nip-state
 * ./nip demo analytics --monitor --port 8080 --linger
 * ./nip dashboard --metrics-url http://127.0.0.1:9404/metrics --health-url http://127.0.0.1:8081/health
 * ./nip kafka start --port 9092 --data-dir kafka-data       # a local broker until Ctrl-C
 * ./nip topics create --topic nip-events --partitions 3
 * }</pre>
 */
@Command(name = "nip", mixinStandardHelpOptions = true, version = "nip 0.1.0-SNAPSHOT",
    description = "NIP stream processing: demos of the tutorial's pipelines, loading topics, running jobs.",
    subcommands = {DemoCommand.class, LoadCommand.class, RunCommand.class, DashboardCommand.class, KafkaCommand.class,
        TopicsCommand.class})
public final class NipCommand implements Runnable {
  /** Exit code of a run that failed while processing. */
  public static final int EXIT_FAILED = 1;
  /** Exit code of bad arguments or unusable files. */
  public static final int EXIT_USAGE = 2;
  /** Exit code of a run stopped by Ctrl-C (SIGINT) or SIGTERM; it says how far it got. */
  public static final int EXIT_INTERRUPTED = ShutdownHandler.EXIT_INTERRUPTED;

  @Spec
  CommandSpec spec;

  /** Without a subcommand: print the usage and fail. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand, e.g. 'nip demo analytics'");
  }

  /**
   * @return the configured command line: usage errors exit with {@link #EXIT_USAGE}, failures of a
   *     run print one line (no stack trace) and exit with {@link #EXIT_FAILED}
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new NipCommand());
    cl.addSubcommand("bench", BenchPlaceholder.benchCommand());
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      PrintWriter err = cmd.getErr();
      if (ex instanceof ShutdownHandler.Stopped) {
        err.println("nip: " + ex.getMessage());
        err.flush();
        return EXIT_INTERRUPTED;
      }
      if (ex instanceof UsageException) {
        err.println("nip: " + ex.getMessage());
        err.flush();
        return EXIT_USAGE;
      }
      err.println("nip: error: " + describe(ex));
      err.flush();
      return EXIT_FAILED;
    });
    return cl;
  }

  private static String describe(Throwable ex) {
    String msg = ex.getMessage();
    if (!(ex instanceof NipException) && ex.getCause() instanceof NipException) {
      msg = ex.getCause().getMessage();
    }
    return msg == null ? ex.toString() : msg;
  }

  /**
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** A bad argument found after parsing, e.g. a missing input file; exits with {@link #EXIT_USAGE}. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
