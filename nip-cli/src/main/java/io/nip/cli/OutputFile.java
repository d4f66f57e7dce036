package io.nip.cli;

import io.nip.errors.ConnectorException;
import io.nip.event.Headers;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A JSON-lines file of the command (--output, --dlq-output, --late-output), opened before the
 * broker starts, so that a file that cannot be written is a usage error with the OS's reason before
 * any work is done, and closed by the command after the run. Lines come from the command itself
 * (dead letters of the input loader) and from the writers of every pipeline task, concurrently:
 * each line is formatted outside the lock and appended whole under it. Writers never close the
 * file, so a late writer cannot reopen and truncate it.
 *
 * @param <T> what a line is made of
 */
final class OutputFile<T> implements Sink<T>, AutoCloseable {
  /** Turns a value and its record's headers into one line of JSON (no newline). */
  @FunctionalInterface
  interface Format<T> {
    byte[] line(T value, Headers headers);
  }

  private final String option;
  private final Path file;
  private final Format<T> format;
  private final OutputStream out;
  private long lines;

  private OutputFile(String option, Path file, Format<T> format, OutputStream out) {
    this.option = option;
    this.file = file;
    this.format = format;
    this.out = out;
  }

  /**
   * Creates (or truncates) the file.
   *
   * @param option the command-line option, for messages
   * @param file the file; its directory must exist
   * @param format line format
   * @param <T> what a line is made of
   * @return the open file
   * @throws NipCommand.UsageException naming the option, the file and the OS's reason
   */
  static <T> OutputFile<T> open(String option, Path file, Format<T> format) {
    try {
      return new OutputFile<>(option, file, format, new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    } catch (IOException e) {
      throw new NipCommand.UsageException(option + " " + file + ": cannot write: " + reason(file, e));
    }
  }

  private static String reason(Path file, IOException e) {
    Path dir = file.toAbsolutePath().getParent();
    if (e instanceof NoSuchFileException && dir != null && !Files.isDirectory(dir)) {
      return "directory " + dir + " does not exist";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return String.valueOf(e.getMessage());
  }

  /** @return the file */
  Path file() {
    return file;
  }

  /** @return lines written so far */
  synchronized long lines() {
    return lines;
  }

  /**
   * Appends one line.
   *
   * @param value what the line is made of
   * @param headers its record's headers
   */
  void append(T value, Headers headers) {
    byte[] line = format.line(value, headers);
    synchronized (this) {
      try {
        out.write(line);
        out.write('\n');
        lines++;
      } catch (IOException e) {
        throw new ConnectorException(option + " " + file + ": cannot write: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String name() {
    return option.substring(2);
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    return new SinkWriter<>() {
      @Override
      public void write(T value) {
        append(value, context.currentHeaders());
      }

      @Override
      public void flush() {
        flushFile();
      }

      @Override
      public void close() {
        flushFile(); // the command closes the file after the run
      }
    };
  }

  private synchronized void flushFile() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new ConnectorException(option + " " + file + ": cannot write: " + e.getMessage(), e);
    }
  }

  /** Flushes and closes the file. */
  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new ConnectorException(option + " " + file + ": cannot write: " + e.getMessage(), e);
    }
  }
}
