package io.nip.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded broker in a child {@code java} process (same class path as this JVM, running
 * {@link BrokerMain}). {@link #close()} closes the child's standard input, which makes it stop the
 * broker and exit; a child that does not exit within 15 s is killed. A shutdown hook does the same
 * if this JVM exits first. The child's standard error goes to a log file in the temporary directory.
 */
final class BrokerProcess implements AutoCloseable {
  private final Process process;
  private final String bootstrapServers;
  private final Path log;
  private final Thread hook;

  private BrokerProcess(Process process, String bootstrapServers, Path log) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.log = log;
    this.hook = new Thread(this::stop, "nip-bench-broker-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts the child and waits for its bootstrap address.
   *
   * @return the running broker
   * @throws IOException when the child cannot start or exits before printing its address
   */
  static BrokerProcess start() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = Files.createTempFile("nip-bench-broker-", ".log");
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
        "-cp", System.getProperty("java.class.path"), BrokerMain.class.getName()));
    pb.redirectError(log.toFile());
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(BrokerMain.BOOTSTRAP_PREFIX)) {
        return new BrokerProcess(p, line.substring(BrokerMain.BOOTSTRAP_PREFIX.length()).trim(), log);
      }
    }
    p.destroyForcibly();
    throw new IOException("the broker process exited before it printed its address; see " + log);
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  long pid() {
    return process.pid();
  }

  private void stop() {
    stop(process);
  }

  /**
   * Closes a child's standard input, which makes it exit, and kills it when it does not within 15 s.
   *
   * @param process the child
   */
  static void stop(Process process) {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Removes a shutdown hook, unless this JVM is already shutting down. */
  static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }

  @Override
  public void close() {
    stop();
    removeHook(hook);
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // leave it
    }
  }
}
