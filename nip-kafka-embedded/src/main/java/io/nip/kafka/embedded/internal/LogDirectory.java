package io.nip.kafka.embedded.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Properties;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * The broker's temporary working directory: {@code server.properties} beside a {@code logs}
 * directory that KRaft requires to be formatted before the first start.
 *
 * <p>Formatting runs {@code kafka-storage.sh format --standalone} in-process through
 * {@link StorageTool#execute}, which returns an exit code instead of exiting the JVM as its
 * {@code main} does. {@code --standalone} writes a bootstrap checkpoint that makes this node the
 * single voter of a dynamic quorum, which is what {@code controller.quorum.bootstrap.servers} needs.
 */
public final class LogDirectory {

  private final Path root;
  private final boolean kept;

  private LogDirectory(Path root, boolean kept) {
    this.root = root;
    this.kept = kept;
  }

  /**
   * A directory the caller keeps across runs (created if missing): {@link #delete()} leaves it, and
   * a directory formatted by an earlier run is started again as it is.
   *
   * @param root the directory
   * @return the directory
   */
  public static LogDirectory kept(Path root) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker directory " + root, e);
    }
    return new LogDirectory(root.toAbsolutePath(), true);
  }

  /** @return whether an earlier run formatted this directory (its logs hold {@code meta.properties}) */
  public boolean isFormatted() {
    return Files.exists(logs().resolve("meta.properties"));
  }

  /**
   * @return the controller port an earlier run recorded in {@code server.properties} (the formatted
   *     quorum names it, so a kept directory keeps it), or -1 when there is none
   */
  public int recordedControllerPort() {
    Path config = root.resolve("server.properties");
    if (!Files.exists(config)) {
      return -1;
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + config, e);
    }
    String servers = p.getProperty("controller.quorum.bootstrap.servers", "");
    int colon = servers.lastIndexOf(':');
    return colon < 0 ? -1 : Integer.parseInt(servers.substring(colon + 1).trim());
  }

  /** Writes {@code server.properties} again, for a start of an already formatted directory. */
  public void writeConfig(Map<String, String> brokerProperties) {
    writeProperties(root.resolve("server.properties"), brokerProperties);
  }

  /** Creates a fresh directory under {@code java.io.tmpdir}. */
  public static LogDirectory createTemporary() {
    try {
      return new LogDirectory(Files.createTempDirectory("nip-kafka-"), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the broker", e);
    }
  }

  /** The directory holding everything the broker writes. */
  public Path root() {
    return root;
  }

  /** Where the broker keeps its partitions and metadata log ({@code log.dirs}). */
  public Path logs() {
    return root.resolve("logs");
  }

  /** Writes {@code server.properties} and formats {@link #logs()} with a new random cluster id. */
  public void format(Map<String, String> brokerProperties) {
    Path config = root.resolve("server.properties");
    writeProperties(config, brokerProperties);
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exitCode;
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exitCode = StorageTool.execute(
          new String[] {"format", "-t", clusterId, "-c", config.toString(), "--standalone"}, out);
    } catch (RuntimeException e) {
      throw new IllegalStateException("formatting " + logs() + " failed: "
          + output.toString(StandardCharsets.UTF_8).strip(), e);
    }
    if (exitCode != 0) {
      throw new IllegalStateException("formatting " + logs() + " failed with exit code " + exitCode
          + ": " + output.toString(StandardCharsets.UTF_8).strip());
    }
  }

  /** Deletes the directory and everything below it, unless it is {@link #kept}; a missing directory is not an error. */
  public void delete() {
    if (kept || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw e;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the broker directory " + root, e);
    }
  }

  private static void writeProperties(Path file, Map<String, String> values) {
    Properties properties = new Properties();
    properties.putAll(values);
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(writer, "single-node KRaft broker started in-process");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
