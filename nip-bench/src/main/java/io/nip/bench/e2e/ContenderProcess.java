package io.nip.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One contender of an end-to-end benchmark in a child {@code java} process of its own ({@link
 * ContenderMain}, the same class path as this JVM), as a benchmark harness forks its measured code.
 *
 * <p>Why: in one JVM, the contenders and the harness's own work between runs (writing the inputs,
 * reading the outputs back) run the same library code (the Kafka clients, Jackson) with different
 * classes at its call sites, so each one's compiled code is deoptimized by the others' and compiled
 * again during the next measured run. A JFR recording of {@code nip bench join} showed the JIT's
 * compiler threads busy through every round, and the same NIP run taking 2.6 s or 9.4 s depending on
 * what ran before it. A child per contender sees only its own code; it lives for the whole benchmark,
 * so its warm-up runs warm it for the measured rounds, and it is idle while the others run.
 *
 * <p>Protocol: one command line in on the child's standard input, one answer line out on its
 * standard output, prefixed {@link ContenderMain#ANSWER}; other output lines (a library's console
 * log) are passed to this JVM's standard error. The child's standard error is this JVM's. The child's
 * JVM options are the words of the environment variable {@code NIP_CONTENDER_JAVA_OPTS} when it is
 * set (a JFR recording of the contenders only, say), else of {@code NIP_JAVA_OPTS} (what {@code
 * ./nip} gives this JVM: a heap size there is then given to every contender, and a JFR file name is
 * shared by all of them unless each sets its own). Not thread safe: one call at a time. {@link #close()} closes the child's input, which makes it exit; a child
 * that does not exit within 15 s is killed, also when this JVM exits first.
 */
final class ContenderProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final Thread hook;

  private ContenderProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.hook = new Thread(this::stop, "nip-bench-contender-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts a child and waits until it is ready for commands.
   *
   * @param name the contender, for messages
   * @param args {@link ContenderMain}'s arguments
   * @return the ready child
   * @throws IOException when the child cannot start or exits before it is ready
   */
  static ContenderProcess start(String name, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opts = System.getenv("NIP_CONTENDER_JAVA_OPTS");
    if (opts == null) {
      opts = System.getenv("NIP_JAVA_OPTS");
    }
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(List.of(opts.trim().split("\\s+")));
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ContenderMain.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    ContenderProcess c = new ContenderProcess(name, pb.start());
    try {
      String ready = c.answer();
      if (!ready.equals(ContenderMain.READY)) {
        throw new IOException(name + " did not start: " + ready);
      }
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Sends one command and waits for its answer.
   *
   * @param command one line, {@link ContenderMain}'s words
   * @return the answer, without its prefix
   * @throws IOException when the child exits or answers with an error
   */
  String call(String command) throws IOException {
    try {
      in.write(command);
      in.write('\n');
      in.flush();
    } catch (IOException e) {
      throw new IOException(name + "'s process exited (code " + exitCode() + ") before a command: " + e, e);
    }
    String answer = answer();
    if (answer.startsWith(ContenderMain.ERROR)) {
      throw new IOException(name + " failed: " + answer.substring(ContenderMain.ERROR.length()));
    }
    return answer;
  }

  /**
   * {@link #call} for a {@code run}: the answer's numbers.
   *
   * @return elapsed ns, late events, state keys, state bytes
   * @throws IOException as {@link #call}, or when the answer is not a result
   */
  long[] run(String command) throws IOException {
    String answer = call(command);
    String[] w = answer.split(" ");
    if (w.length != 5 || !w[0].equals("result")) {
      throw new IOException(name + " answered '" + answer + "' instead of a result");
    }
    long[] out = new long[4];
    for (int i = 0; i < 4; i++) {
      out[i] = Long.parseLong(w[i + 1]);
    }
    return out;
  }

  private String answer() throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(ContenderMain.ANSWER)) {
        return line.substring(ContenderMain.ANSWER.length());
      }
      System.err.println(line);
    }
    throw new IOException(name + "'s process exited (code " + exitCode() + ") without an answer");
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private void stop() {
    BrokerProcess.stop(process);
  }

  @Override
  public void close() {
    stop();
    BrokerProcess.removeHook(hook);
  }
}
