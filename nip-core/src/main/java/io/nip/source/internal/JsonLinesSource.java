package io.nip.source.internal;

import io.nip.errors.ConnectorException;
import io.nip.serde.Serde;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One JSON value per line of a UTF-8 file, one partition, bounded. The position is the number of
 * lines consumed, so a restart skips exactly the lines already read. A line that fails to parse is
 * reported with its bytes and line number; blank lines carry nothing and are passed over.
 */
public final class JsonLinesSource<T> implements Source<T> {
  private final String name;
  private final Path file;
  private final Serde<T> serde;

  /**
   * @param name source name
   * @param file the file
   * @param serde parses lines
   */
  public JsonLinesSource(String name, Path file, Serde<T> serde) {
    this.name = name;
    this.file = file;
    this.serde = serde;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int partitions() {
    return 1;
  }

  @Override
  public boolean isBounded() {
    return true;
  }

  @Override
  public SourceReader<T> createReader(int partition, SourceContext context, SourcePosition startPosition) {
    BufferedReader in;
    try {
      in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConnectorException("source '" + name + "' cannot open " + file + ": " + e.getMessage(), e);
    }
    return new SourceReader<>() {
      private long line;
      private final long start = SourcePosition.offsetOr(startPosition, 0);

      {
        try {
          while (line < start && in.readLine() != null) {
            line++;
          }
        } catch (IOException e) {
          throw new ConnectorException("source '" + name + "' cannot read " + file, e);
        }
      }

      @Override
      public Status poll(SourceOutput<T> output, int maxRecords) {
        try {
          for (int i = 0; i < maxRecords; i++) {
            String text = in.readLine();
            if (text == null) {
              return Status.END_OF_INPUT;
            }
            long pos = line++;
            if (text.isBlank()) {
              continue;
            }
            byte[] raw = text.getBytes(StandardCharsets.UTF_8);
            T value;
            try {
              value = serde.deserialize(raw);
            } catch (RuntimeException e) {
              output.fail(raw, pos, e);
              continue;
            }
            output.emit(value, raw, pos, SourceOutput.NO_TIMESTAMP);
          }
          return Status.MORE_AVAILABLE;
        } catch (IOException e) {
          throw new ConnectorException("source '" + name + "' cannot read " + file + " at line " + (line + 1), e);
        }
      }

      @Override
      public SourcePosition position() {
        return SourcePosition.ofOffset(line);
      }

      @Override
      public void close() {
        try {
          in.close();
        } catch (IOException e) {
          throw new ConnectorException("source '" + name + "' cannot close " + file, e);
        }
      }
    };
  }
}
