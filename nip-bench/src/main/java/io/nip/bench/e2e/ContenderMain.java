package io.nip.bench.e2e;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark contender in a JVM of its own ({@link ContenderProcess} starts it): runs the timed part
 * of each run it is told to, and answers with what it measured; the bench's JVM does the rest (topics,
 * reading the outputs back, the checks).
 *
 * <p>Arguments: {@code join <bootstrap> <profiles topic> <contender> <threads> <state>}, where the
 * contender is {@code nip} or {@code kafka-streams} and the state {@code memory} or {@code rocksdb}.
 * It answers {@code ready} once started, then reads commands, one per line, until its input ends:
 * {@code run <events topic> <records> <group or application id> <output topic>}, answered by
 * {@code result <elapsed ns> <late events> <state keys> <state bytes>} or {@code error <message>}.
 * Answers are prefixed with {@link #ANSWER}; anything else on standard output is a library's.
 */
public final class ContenderMain {
  /** The prefix of every answer line. */
  static final String ANSWER = "nip-contender: ";
  /** The answer once the contender is ready for commands. */
  static final String READY = "ready";
  /** The prefix of an answer to a command that failed. */
  static final String ERROR = "error ";

  private ContenderMain() {}

  /**
   * @param args see the class comment
   * @throws Exception when standard input fails
   */
  public static void main(String[] args) throws Exception {
    PrintStream answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err); // the libraries' console output: standard output carries only the answers
    if (args.length != 6 || !args[0].equals("join")) {
      answers.println(ANSWER + ERROR + "expected: join <bootstrap> <profiles> <contender> <threads> <state>, not "
          + Arrays.toString(args));
      System.exit(2);
    }
    String bootstrap = args[1];
    String profiles = args[2];
    String contender = args[3];
    if (!contender.equals("nip") && !contender.equals("kafka-streams")) {
      answers.println(ANSWER + ERROR + "the contender is nip or kafka-streams, not " + contender);
      System.exit(2);
    }
    int threads = Integer.parseInt(args[4]);
    BenchState state = BenchState.valueOf(args[5].toUpperCase(Locale.ROOT));
    answers.println(ANSWER + READY);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      List<String> w = List.of(line.trim().split(" "));
      try {
        if (w.size() != 5 || !w.get(0).equals("run")) {
          throw new IllegalArgumentException("unknown command: " + line);
        }
        JoinRuns.Timed t = contender.equals("nip")
            ? JoinRuns.timedNip(bootstrap, profiles, w.get(1), w.get(3), w.get(4), threads, state)
            : JoinRuns.timedStreams(bootstrap, profiles, w.get(1), Long.parseLong(w.get(2)), w.get(3), w.get(4),
                threads, state);
        answers.println(ANSWER + "result " + t.elapsedNanos() + " " + t.lateEvents() + " " + t.state().keys() + " "
            + t.state().bytes());
      } catch (Exception | Error e) {
        e.printStackTrace();
        answers.println(ANSWER + ERROR + String.valueOf(e).replaceAll("[\\r\\n]+", " "));
      }
    }
    System.exit(0);
  }
}
