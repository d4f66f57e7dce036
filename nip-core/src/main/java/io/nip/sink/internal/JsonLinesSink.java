package io.nip.sink.internal;

import io.nip.errors.ConnectorException;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * JSON lines into one file shared by every writer of the pipeline. Each writer serializes outside
 * the lock and appends whole lines under it. The file is opened (truncated) by the first writer and
 * closed by the last one to close; flush makes the lines durable in the OS. A writer created after
 * all earlier ones closed (dead-letter writers are created at a task's first dead letter, and tasks
 * end at different times) opens it again for appending: lines already written stay.
 */
public final class JsonLinesSink<T> implements Sink<T> {
  private final String name;
  private final Path file;
  private final Serde<T> serde;
  private OutputStream out;
  private int openWriters;
  private boolean openedBefore;

  /**
   * @param name sink name
   * @param file output file
   * @param serde record to bytes
   */
  public JsonLinesSink(String name, Path file, Serde<T> serde) {
    this.name = name;
    this.file = file;
    this.serde = serde;
  }

  @Override
  public String name() {
    return name;
  }

  private synchronized void open() {
    if (openWriters++ == 0 && out == null) {
      try {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        out = new BufferedOutputStream(openedBefore
            ? Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
            : Files.newOutputStream(file), 1 << 16);
        openedBefore = true;
      } catch (IOException e) {
        throw new ConnectorException("sink '" + name + "' cannot open " + file + ": " + e.getMessage(), e);
      }
    }
  }

  private synchronized void append(byte[] line) {
    try {
      out.write(line);
      out.write('\n');
    } catch (IOException e) {
      throw new ConnectorException("sink '" + name + "' cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private synchronized void flushFile() {
    try {
      if (out != null) {
        out.flush();
      }
    } catch (IOException e) {
      throw new ConnectorException("sink '" + name + "' cannot flush " + file + ": " + e.getMessage(), e);
    }
  }

  private synchronized void closeWriter() {
    if (--openWriters == 0 && out != null) {
      try {
        out.close();
      } catch (IOException e) {
        throw new ConnectorException("sink '" + name + "' cannot close " + file + ": " + e.getMessage(), e);
      } finally {
        out = null;
      }
    }
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    open();
    return new SinkWriter<>() {
      private boolean closed;

      @Override
      public void write(T value) {
        append(serde.serialize(value));
      }

      @Override
      public void flush() {
        flushFile();
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          closeWriter();
        }
      }
    };
  }
}
