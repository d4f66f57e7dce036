package io.nip;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a class's {@code main} in a child JVM on the test's classpath, for the kill tests (a child
 * can be killed with SIGKILL, which a thread cannot). Shared through nip-core's test-jar.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * @param main the class whose {@code main} runs
   * @param log receives the child's stdout and stderr
   * @param args its arguments
   * @return the started process
   * @throws IOException when the JVM cannot be started
   */
  public static Process start(Class<?> main, Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
